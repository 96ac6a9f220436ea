#!/usr/bin/python3
"""A face-recognition card reader's test mode for onshi, in Python.

Implements onshi's reader-control API (openapi/reader-control-v1.yaml) from the
published guide docs/implementing-a-reader.md: it reads a My Number Card over real
PC/SC (pcscd, through pyscard), runs the face / PIN / 目視 flow with the reference
fallback policy, calls the onshi HTTP JSON backend (openapi/onshi-v1.yaml) and answers
with the outcome and the face-result file.

Standard library + Debian's python3-pyscard and python3-cryptography only.

    /usr/bin/python3 reader.py --listen 127.0.0.1:7070

PINs are never logged or stored; the face photo is held in memory for the comparison
only; the My Number, 照合番号A and the card-back image are never selected or read.
"""

import argparse
import base64
import binascii
import hashlib
import json
import logging
import os
import re
import signal
import threading
import time
import urllib.error
import urllib.request
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from smartcard import scard

VENDOR = "Example Reader Co."
MODEL = "PyFace 1"
VERSION = "0.1.0 (test mode, Python)"

log = logging.getLogger("reader")

# ----------------------------------------------------------------- policy constants

FACE_THRESHOLD = 0.8          # SEC-FACE-THRESHOLD: a match at score >= 0.8
FACE_ATTEMPTS = 3
CONSENT_CHANGE = date(2024, 10, 7)   # DOM-CONSENT: one 包括同意 screen from this day
SCREENS_BEFORE = ["DrugInformation", "DiagnosisInformation", "OperationInformation",
                  "CheckupInformation", "LimitInformation"]
SCREENS_FROM = ["ComprehensiveMedicalInformation"]
OFFER_REGISTRATION = ("ONS-R201", "ONS-R203")
VISIT_BUDGET = 55.0           # seconds from the request; onshi waits at most 60 s
UNREADABLE = "001: マイナンバーカードの認識不可"

# ----------------------------------------------------------------- APDUs (§4.1)

JPKI_AID = bytes.fromhex("D392F000260100000001")
SURFACE_AID = bytes.fromhex("D3921000310001010402")
EF_AUTH_CERT = b"\x00\x0A"
EF_AUTH_KEY = b"\x00\x17"
EF_AUTH_PIN = b"\x00\x18"
EF_MATCH_B = b"\x00\x12"
EF_FRONT = b"\x00\x02"
SHA256_DIGESTINFO_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")

# The My Number file (input-support EF 0001), 照合番号A (input-support EF 0014,
# card-surface EF 0013), the card-back image (card-surface EF 0005) and the
# input-support AP itself are never addressed: this reader has no command for them,
# and send() refuses them as a last line of defence.
INPUT_SUPPORT_AID = bytes.fromhex("D3921000310001010408")
FORBIDDEN_EFS_IN_SURFACE = (b"\x00\x13", b"\x00\x05")


class CardGone(Exception):
    """The card stopped answering (removed, mute, transport error)."""


class CardError(Exception):
    """The card answered an error status where the flow needs success."""


class NoCard(Exception):
    """No card appeared in the reader in time, or it could not be connected."""


def sw_text(sw):
    """The status word as onshi's reader writes it: 4 hex digits and a meaning."""
    h = "%04X" % sw
    if sw == 0x9000:
        return h + " success"
    if sw & 0xFFF0 == 0x63C0:
        return "%s verification failed, %d tries left" % (h, sw & 0x0F)
    if sw == 0x6983:
        return h + " authentication method blocked"
    if sw == 0x6984:
        return h + " reference data not usable"
    if sw == 0x6A82:
        return h + " file or application not found"
    if sw == 0x6F00:
        return h + " no precise diagnosis"
    return h


# ----------------------------------------------------------------- PC/SC


class Card:
    """One shared PC/SC connection for the whole visit (never reset, never reconnected)."""

    def __init__(self, reader, timeout):
        self.reader = reader
        self.ctx = None
        self.hcard = None
        self.proto = None
        self.current_app = None
        hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hr != scard.SCARD_S_SUCCESS:
            raise NoCard("PC/SC unavailable: %s" % scard.SCardGetErrorMessage(hr))
        self.ctx = ctx
        try:
            self._wait_and_connect(timeout)
        except Exception:
            self.close()
            raise

    def _wait_and_connect(self, timeout):
        deadline = time.monotonic() + timeout
        state = scard.SCARD_STATE_UNAWARE
        last = "timed out"
        while True:
            left_ms = int((deadline - time.monotonic()) * 1000)
            if left_ms <= 0:
                raise NoCard("no card in %s: %s" % (self.reader, last))
            hr, states = scard.SCardGetStatusChange(
                self.ctx, min(left_ms, 1000), [(self.reader, state)])
            if hr == scard.SCARD_E_TIMEOUT:
                continue
            if hr != scard.SCARD_S_SUCCESS:
                # unknown reader (not plugged yet) and the like: poll again
                last = scard.SCardGetErrorMessage(hr).strip()
                state = scard.SCARD_STATE_UNAWARE
                time.sleep(0.1)
                continue
            _, event, _atr = states[0]
            state = event & ~scard.SCARD_STATE_CHANGED
            if event & scard.SCARD_STATE_PRESENT and not event & scard.SCARD_STATE_MUTE:
                hr, hcard, proto = scard.SCardConnect(
                    self.ctx, self.reader, scard.SCARD_SHARE_SHARED,
                    scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
                if hr == scard.SCARD_S_SUCCESS:
                    self.hcard, self.proto = hcard, proto
                    return
                # a card still powering up: try again until the deadline, then 409
                last = "cannot connect: %s" % scard.SCardGetErrorMessage(hr).strip()
                state = scard.SCARD_STATE_UNAWARE
                time.sleep(0.1)

    def close(self):
        if self.hcard is not None:
            scard.SCardDisconnect(self.hcard, scard.SCARD_LEAVE_CARD)
            self.hcard = None
        if self.ctx is not None:
            scard.SCardReleaseContext(self.ctx)
            self.ctx = None

    # -- raw exchange

    def send(self, apdu, what):
        """Transmit one command APDU; return (data, sw). CardGone on transport failure."""
        apdu = bytes(apdu)
        self._guard(apdu)
        hr, resp = scard.SCardTransmit(self.hcard, self.proto, list(apdu))
        if hr != scard.SCARD_S_SUCCESS:
            raise CardGone("%s: %s" % (what, scard.SCardGetErrorMessage(hr).strip()))
        if len(resp) < 2:
            raise CardGone("%s: no status word" % what)
        return bytes(resp[:-2]), (resp[-2] << 8) | resp[-1]

    def _guard(self, apdu):
        if apdu[1] == 0xA4 and apdu[2] == 0x04 and apdu[5:5 + apdu[4]] == INPUT_SUPPORT_AID:
            raise AssertionError("refusing to select the input-support AP")
        if self.current_app == SURFACE_AID and apdu[1] in (0xA4, 0x20, 0xB0) \
                and apdu[2] == 0x02 and bytes(apdu[5:7]) in FORBIDDEN_EFS_IN_SURFACE:
            raise AssertionError("refusing to address 照合番号A or the card back")

    # -- commands

    def select_app(self, aid, what):
        data, sw = self.send(b"\x00\xA4\x04\x0C" + bytes([len(aid)]) + aid, what)
        if sw == 0x9000:
            self.current_app = aid
        return sw

    def select_ef(self, fid, what):
        _, sw = self.send(b"\x00\xA4\x02\x0C\x02" + fid, what)
        return sw

    def read_binary(self, offset, le, what):
        return self.send(bytes([0x00, 0xB0, (offset >> 8) & 0x7F, offset & 0xFF, le & 0xFF]),
                         what)

    def read_all(self, what, length=None):
        """READ BINARY in short chunks from offset 0, to `length` or to the end."""
        out = bytearray()
        while length is None or len(out) < length:
            want = 256 if length is None else min(256, length - len(out))
            data, sw = self.read_binary(len(out), want, what)
            if sw != 0x9000:
                raise CardError("%s: %s" % (what, sw_text(sw)))
            out += data
            if len(data) < want or not data:
                break
        return bytes(out)

    def retry_query(self, what="retry query"):
        _, sw = self.send(b"\x00\x20\x00\x80", what)
        return sw

    def verify(self, ref, what):
        _, sw = self.send(b"\x00\x20\x00\x80" + bytes([len(ref)]) + ref, what)
        return sw

    def sign(self, digest_info, what="SIGN"):
        data, sw = self.send(b"\x80\x2A\x00\x80" + bytes([len(digest_info)]) + digest_info
                             + b"\x00", what)
        return data, sw


def require_ok(sw, what):
    if sw != 0x9000:
        raise CardError("%s: %s" % (what, sw_text(sw)))


def ber_tlv(data, i):
    """Parse one BER-TLV at i: (tag bytes, value, next index)."""
    t0 = i
    i += 1
    if data[t0] & 0x1F == 0x1F:
        while data[i] & 0x80:
            i += 1
        i += 1
    tag = data[t0:i]
    n = data[i]
    i += 1
    if n == 0x81:
        n = data[i]
        i += 1
    elif n == 0x82:
        n = (data[i] << 8) | data[i + 1]
        i += 2
    elif n > 0x82:
        raise ValueError("unsupported length form %02X" % n)
    if i + n > len(data):
        raise ValueError("truncated TLV")
    return tag, data[i:i + n], i + n


def face_photo(front):
    """The value of DF 27 inside FF 20 of the card-front file."""
    tag, value, _ = ber_tlv(front, 0)
    if tag != b"\xFF\x20":
        raise ValueError("card front is not FF 20")
    i = 0
    while i < len(value):
        tag, v, i = ber_tlv(value, i)
        if tag == b"\xDF\x27":
            return v
    return b""


# ----------------------------------------------------------------- backend client


class Unavailable(Exception):
    pass


class Refused(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def http_post(url, body, timeout):
    """POST a JSON body; return the 2xx body text. Refused / Unavailable otherwise."""
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json",
                                          "Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        text = e.read().decode("utf-8", "replace")
        code, message = None, None
        try:
            err = json.loads(text)["error"]
            if isinstance(err.get("code"), str) and err["code"].startswith("ONS-"):
                code = err["code"]
            message = err.get("message")
        except Exception:
            pass
        if e.code >= 500:
            # the backend cannot serve now: a clinic reader retries (fresh challenge)
            raise Unavailable("%d %s: %s" % (e.code, code or "", message or text[:200]))
        if code:
            raise Refused(code, "refused (%d %s): %s" % (e.code, code, message))
        raise Refused(None, "refused (HTTP %d): %s" % (e.code, text[:200]))
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise Unavailable("unreachable: %s (%s)" % (reason, url))


def parse_json_object(text, what):
    try:
        value = json.loads(text)
    except ValueError:
        raise Refused(None, "refused: %s answered 2xx with no JSON" % what)
    if not isinstance(value, dict):
        raise Refused(None, "refused: %s answered 2xx with something else than an object"
                      % what)
    return value


# ----------------------------------------------------------------- result file (§5.6)

LIST_ITEMS = {
    "result_list": "ResultOfQualificationConfirmation",
    "specific_diseases_certificate_list": "SpecificDiseasesCertificateInfo",
    "public_expense_result_list": "MedicalTicketInfo",
}
FLATTENED = ("specific_health_checkups_info", "pharmacists_info", "diagnosis_info",
             "operation_info")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
TIME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$")


def pascal(name):
    return "".join(p[:1].upper() + p[1:] for p in name.split("_"))


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_scalar(v):
    if isinstance(v, bool):
        return "1" if v else "0"
    v = str(v)
    m = TIME_RE.match(v)
    if m:
        return "".join(m.groups())
    m = DATE_RE.match(v)
    if m:
        return "".join(m.groups())
    return v


def xml_children(obj, depth, out):
    pad = "  " * depth
    for key, value in obj.items():
        if value is None:
            continue
        tag = pascal(key)
        if key in FLATTENED and isinstance(value, dict):
            for k, v in value.items():
                if v is not None:
                    out.append("%s<%s%s>%s</%s%s>" % (pad, tag, pascal(k),
                                                      xml_escape(xml_scalar(v)), tag, pascal(k)))
        elif isinstance(value, dict):
            out.append("%s<%s>" % (pad, tag))
            xml_children(value, depth + 1, out)
            out.append("%s</%s>" % (pad, tag))
        elif isinstance(value, list):
            if not value:
                continue
            item = LIST_ITEMS.get(key, tag + "Item")
            out.append("%s<%s>" % (pad, tag))
            for v in value:
                if isinstance(v, dict):
                    out.append("%s  <%s>" % (pad, item))
                    xml_children(v, depth + 2, out)
                    out.append("%s  </%s>" % (pad, item))
                else:
                    out.append("%s  <%s>%s</%s>" % (pad, item, xml_escape(xml_scalar(v)), item))
            out.append("%s</%s>" % (pad, tag))
        else:
            text = xml_scalar(value)
            if key == "insurer_number":
                # 保険者番号 is 8 characters in the file: a 6-digit (国保) number is
                # right-aligned with spaces, as onshi serve --folder writes it
                text = text.rjust(8)
            out.append("%s<%s>%s</%s>" % (pad, tag, xml_escape(text), tag))


def sjis(text):
    """Shift_JIS, JIS X 0208 repertoire: everything else is ● (81 9C), one per character."""
    out = bytearray()
    for c in text:
        try:
            b = c.encode("cp932")
        except UnicodeEncodeError:
            b = None
        ok = b is not None and b.decode("cp932") == c and (
            (len(b) == 1 and (b[0] < 0x80 or 0xA1 <= b[0] <= 0xDF))
            or (len(b) == 2 and (0x81 <= b[0] <= 0x84 or 0x88 <= b[0] <= 0x9F
                                 or 0xE0 <= b[0] <= 0xEA)))
        out += b if ok else b"\x81\x9c"
    return bytes(out)


def result_xml(response, shift_jis=True):
    header = dict(response.get("message_header") or {})
    header["character_code_identifier"] = "2" if shift_jis else "1"
    lines = ['<?xml version="1.0" encoding="%s" standalone="no"?>'
             % ("Shift_JIS" if shift_jis else "UTF-8"), "<XmlMsg>", "  <MessageHeader>"]
    xml_children(header, 2, lines)
    lines += ["  </MessageHeader>", "  <MessageBody>"]
    xml_children(response.get("message_body") or {}, 2, lines)
    lines += ["  </MessageBody>", "</XmlMsg>", ""]
    text = "\n".join(lines)
    return sjis(text) if shift_jis else text.encode("utf-8")


class Sequence:
    def __init__(self):
        self.lock = threading.Lock()
        self.n = int(time.time()) % 10**8 * 10**4   # distinct across restarts

    def next(self):
        with self.lock:
            self.n += 1
            return self.n % 10**12


SEQ = Sequence()
READER_ID = "PYRDR001"  # 8 ASCII letters/digits


def result_file(visit, response, out_dir=None):
    xml = result_xml(response, shift_jis=True)
    stamp = visit.confirmation_time.replace("-", "").replace("T", "").replace(":", "")
    name = "OQSsiquc01res_face_%s%s%012d_%s.xml" % (visit.facility, READER_ID, SEQ.next(),
                                                    stamp)
    if out_dir:
        tmp = os.path.join(out_dir, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(xml)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(out_dir, name))
    return {"name": name, "encoding": "Shift_JIS",
            "xml": base64.b64encode(xml).decode("ascii")}


# ----------------------------------------------------------------- the visit


class BadRequest(Exception):
    pass


OPERATORS = ("patient", "family", "staff", "helper")
CHOICES = ("face", "pin", "visual")
SETTINGS = ("outpatient", "home_visit", "online_consultation", "home_nursing")


def b64(s, what):
    if not isinstance(s, str):
        raise BadRequest("%s: not a string" % what)
    try:
        return base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest("%s: bad base64" % what)


class Visit:
    """Validates a VisitRequest; holds what the visit needs."""

    def __init__(self, req):
        if not isinstance(req, dict):
            raise BadRequest("the body is not a JSON object")

        def field(obj, name, kind, where=""):
            if name not in obj or not isinstance(obj[name], kind) or \
                    (kind is int and isinstance(obj[name], bool)):
                raise BadRequest("%s%s: missing or of the wrong type" % (where, name))
            return obj[name]

        self.visit_id = field(req, "visit_id", str)
        self.confirmation_time = field(req, "confirmation_time", str)
        if not TIME_RE.match(self.confirmation_time):
            raise BadRequest("confirmation_time: not YYYY-MM-DDTHH:MM:SS")
        y, mo, d = (int(x) for x in self.confirmation_time[:10].split("-"))
        try:
            self.visit_date = date(y, mo, d)
        except ValueError:
            raise BadRequest("confirmation_time: no such date")
        self.pcsc_reader = field(req, "pcsc_reader", str)
        self.match_b = field(req, "match_b", str)
        if not re.fullmatch(r"[0-9]{14}", self.match_b):
            raise BadRequest("match_b: not 14 digits")
        self.backend = field(req, "backend_url", str).rstrip("/")
        if not self.backend.startswith(("http://", "https://")):
            raise BadRequest("backend_url: not an http URL")
        self.facility = field(req, "medical_institution_code", str)
        if not re.fullmatch(r"[0-9]{10}", self.facility):
            raise BadRequest("medical_institution_code: not 10 digits")
        key = field(req, "attestation_key", dict)
        self.device_cert_b64 = field(key, "certificate", str, "attestation_key.")
        b64(self.device_cert_b64, "attestation_key.certificate")
        seed = b64(field(key, "ed25519_seed", str, "attestation_key."),
                   "attestation_key.ed25519_seed")
        if len(seed) != 32:
            raise BadRequest("attestation_key.ed25519_seed: not 32 bytes")
        self.device_key = Ed25519PrivateKey.from_private_bytes(seed)

        p = field(req, "patient", dict)
        self.choice = field(p, "choice", str, "patient.")
        if self.choice not in CHOICES:
            raise BadRequest("patient.choice: unknown")
        scores = field(p, "face_scores", list, "patient.")
        if not all(isinstance(s, (int, float)) and not isinstance(s, bool) and 0 <= s <= 1
                   for s in scores):
            raise BadRequest("patient.face_scores: numbers 0..1")
        self.face_scores = [float(s) for s in scores]
        pins = field(p, "pins", list, "patient.")
        if not all(isinstance(x, str) and re.fullmatch(r"[0-9]{4}", x) for x in pins):
            raise BadRequest("patient.pins: 4 digits each")
        self.pins = pins
        self.placed_by = field(p, "placed_by", str, "patient.")
        self.pin_entered_by = field(p, "pin_entered_by", str, "patient.")
        if self.placed_by not in OPERATORS or self.pin_entered_by not in OPERATORS:
            raise BadRequest("patient.placed_by / pin_entered_by: unknown operator")
        self.staff_visual = field(p, "staff_visual_check_available", bool, "patient.")
        consents = field(p, "consents", dict, "patient.")
        self.consents = {"medical_info": bool(consents.get("medical_info", False)),
                         "limit_info": bool(consents.get("limit_info", False))}
        self.accept_registration = field(p, "accept_registration", bool, "patient.")
        self.care_setting = field(p, "care_setting", str, "patient.")
        if self.care_setting not in SETTINGS:
            raise BadRequest("patient.care_setting: unknown")


class Ended(Exception):
    """The visit ends with this result (a ReaderResult object)."""

    def __init__(self, result):
        super().__init__(result.get("result"))
        self.result = result


class VisitRun:
    def __init__(self, visit, card, cfg, deadline):
        self.v = visit
        self.card = card
        self.cfg = cfg
        self.events = []
        self.exchanges = []
        self.method = None
        self.registered_here = False
        self.cert = None
        self.pin_state = None          # "pinless" | "locked" | int tries left
        self.pin_tries_before_verify = None
        self.pin_given_up = False
        self.face_failed = False
        self.deadline = deadline

    def event(self, name, **members):
        e = {"event": name}
        e.update(members)
        self.events.append(e)

    # -- §3.1

    def read_certificate(self):
        c = self.card
        sw = c.select_app(JPKI_AID, "SELECT JPKI AP")
        if sw == 0x6A82:
            raise Ended({"result": "not-my-number-card"})
        require_ok(sw, "SELECT JPKI AP")
        require_ok(c.select_ef(EF_AUTH_CERT, "SELECT 000A"), "SELECT 000A")
        head, sw = c.read_binary(0, 4, "READ 000A header")
        require_ok(sw, "READ 000A header")
        if len(head) < 4 or head[0] != 0x30 or head[1] != 0x82:
            raise CardError("READ 000A header: not a DER certificate")
        length = ((head[2] << 8) | head[3]) + 4
        cert = c.read_all("READ 000A", length)
        if len(cert) != length:
            raise CardError("READ 000A: %d of %d bytes" % (len(cert), length))
        self.cert = cert
        self.event("certificate-read", bytes=len(cert))

        sw = c.select_ef(EF_AUTH_PIN, "SELECT 0018")
        if sw == 0x6A82:
            self.pin_state = "pinless"
            return
        require_ok(sw, "SELECT 0018")
        sw = c.retry_query()
        if sw & 0xFFF0 != 0x63C0:
            raise CardError("retry query: %s" % sw_text(sw))
        tries = sw & 0x0F
        self.pin_state = "locked" if tries == 0 else tries

    # -- §3.2

    def pin_allowed(self):
        return isinstance(self.pin_state, int) and self.pin_state > 0 and not self.pin_given_up

    def next_method(self, after):
        order = {"face": ("pin", "visual"), "pin": ("face", "visual"), "visual": ()}[after]
        for m in order:
            if m == "pin" and self.pin_allowed():
                return m
            if m == "face" and not self.face_failed:
                return m
            if m == "visual" and self.v.staff_visual:
                return m
        return None

    def authenticate(self):
        current = self.v.choice
        if current == "pin" and self.pin_state == "pinless":
            self.event("method-switched", **{"from": "pin", "to": "face",
                                             "reason": "pinless-card"})
            current = "face"
        elif current == "pin" and self.pin_state == "locked":
            self.event("method-switched", **{"from": "pin", "to": "face",
                                             "reason": "pin-locked"})
            current = "face"
        while True:
            if current == "face":
                if self.face_path():
                    break
                self.face_failed = True
                reason = "face-failed"
            elif current == "pin":
                ok, reason = self.pin_path()
                if ok:
                    break
                self.pin_given_up = True
            else:  # visual: staff compare the face with the card photo
                break
            nxt = self.next_method(current)
            if nxt is None:
                raise Ended({"result": "authentication-failed"})
            self.event("method-switched", **{"from": current, "to": nxt, "reason": reason})
            current = nxt
        self.method = current
        self.event("authenticated", method=current)

    # -- §3.3 face

    def read_photo(self):
        """The face photo from the chip (card-surface AP, 照合番号B). b"" if 照合番号B
        is refused (the OCR misread the card front): no match is possible then."""
        c = self.card
        require_ok(c.select_app(SURFACE_AID, "SELECT card-surface AP"), "SELECT card-surface AP")
        require_ok(c.select_ef(EF_MATCH_B, "SELECT 0012"), "SELECT 0012")
        sw = c.verify(self.v.match_b.encode("ascii"), "VERIFY 照合番号B")
        if sw != 0x9000:
            log.warning("%s: 照合番号B refused (%s): face comparison impossible",
                        self.v.visit_id, sw_text(sw))
            return b""
        require_ok(c.select_ef(EF_FRONT, "SELECT 0002"), "SELECT 0002")
        front = c.read_all("READ card front")
        try:
            return face_photo(front)
        except (ValueError, IndexError) as e:
            raise CardError("card front: %s" % e)

    def face_path(self):
        photo = self.read_photo()
        try:
            for n in range(FACE_ATTEMPTS):
                score = self.v.face_scores[n] if n < len(self.v.face_scores) else 0.0
                matched = len(photo) > 0 and score >= FACE_THRESHOLD
                self.event("face-attempt", score=score, matched=matched)
                if matched:
                    return True
            return False
        finally:
            photo = None   # never kept (FLY-PHOTO)

    # -- §3.3 PIN

    def pin_path(self):
        c = self.card
        require_ok(c.select_app(JPKI_AID, "SELECT JPKI AP"), "SELECT JPKI AP")
        require_ok(c.select_ef(EF_AUTH_PIN, "SELECT 0018"), "SELECT 0018")
        sw = c.retry_query()
        if sw & 0xFFF0 != 0x63C0:
            raise CardError("retry query: %s" % sw_text(sw))
        tries = sw & 0x0F
        self.event("pin-retry-query", tries_left=tries)
        self.pin_tries_before_verify = tries
        if tries == 0:
            self.pin_state = "locked"
            return False, "pin-locked"
        for pin in self.v.pins:
            sw = c.verify(pin.encode("ascii"), "VERIFY auth PIN")
            self.event("pin-verify", by=self.v.pin_entered_by, status=sw_text(sw))
            if sw == 0x9000:
                return True, None
            if sw & 0xFFF0 == 0x63C0 and sw & 0x0F > 0:
                self.pin_state = sw & 0x0F
                continue
            # 63 C0, 69 83, 69 84 or anything else: locked, never another VERIFY
            self.pin_state = "locked"
            return False, "pin-locked"
        return False, "no-more-pins"

    # -- §3.5 backend

    def proof(self, method):
        """A fresh challenge and the card / device proof over it: CardAuthentication."""
        text = http_post(self.v.backend + "/v1/challenges",
                         json.dumps({"medical_institution_code": self.v.facility}).encode(),
                         self.http_timeout())
        ch = parse_json_object(text, "POST /v1/challenges")
        try:
            nonce = base64.b64decode(ch["nonce"], validate=True)
        except Exception:
            raise Refused(None, "refused: the challenge answer has no base64 nonce")
        card = {"auth_certificate": base64.b64encode(self.cert).decode("ascii"),
                "nonce": base64.b64encode(nonce).decode("ascii"),
                "method": method}
        if method == "pin":
            c = self.card
            require_ok(c.select_ef(EF_AUTH_KEY, "SELECT 0017"), "SELECT 0017")
            sig, sw = c.sign(SHA256_DIGESTINFO_PREFIX + hashlib.sha256(nonce).digest())
            require_ok(sw, "SIGN")
            if len(sig) != 256:
                raise CardError("SIGN: %d bytes" % len(sig))
            card["card_signature"] = base64.b64encode(sig).decode("ascii")
            card["pin_tries_before_verify"] = self.pin_tries_before_verify
        else:
            msg = (nonce + hashlib.sha256(self.cert).digest() + method.encode("ascii")
                   + self.v.facility.encode("ascii"))
            card["attestation"] = {
                "reader_certificate": self.v.device_cert_b64,
                "signature": base64.b64encode(self.v.device_key.sign(msg)).decode("ascii")}
        return card

    def http_timeout(self):
        return max(1.0, min(self.cfg.http_timeout, self.deadline - time.monotonic()))

    def call(self, label, path, build):
        """One proof-carrying call, retried with a fresh challenge while unavailable."""
        attempt = 0
        while True:
            attempt += 1
            body = None
            try:
                body = json.dumps(build(self.proof(self.method)),
                                  separators=(",", ":"), ensure_ascii=False)
                text = http_post(self.v.backend + path, body.encode("utf-8"),
                                 self.http_timeout())
                self.exchanges.append({"label": label, "request": body, "response": text})
                return parse_json_object(text, label)
            except Unavailable as e:
                if body is not None:
                    self.exchanges.append({"label": label, "request": body,
                                           "response": str(e)})
                if attempt > self.cfg.retries or \
                        self.deadline - time.monotonic() < self.cfg.http_timeout + 2:
                    raise
                time.sleep(self.cfg.retry_pause)
            except Refused as e:
                if body is not None:
                    self.exchanges.append({"label": label, "request": body,
                                           "response": e.message})
                raise

    def confirm(self):
        v = self.v
        return self.call("POST /v1/confirmations/card", "/v1/confirmations/card",
                         lambda card: {
                             "medical_institution_code": v.facility,
                             "arbitrary_file_identifier": None,
                             "confirmation_time": v.confirmation_time,
                             "card": card,
                             "consents": v.consents,
                             "care_setting": v.care_setting,
                             "prescription_issue_select": None})

    def register(self):
        v = self.v
        return self.call("POST /v1/registrations", "/v1/registrations",
                         lambda card: {"medical_institution_code": v.facility,
                                       "confirmation_time": v.confirmation_time,
                                       "card": card})

    # -- the whole visit

    def run(self):
        self.event("card-placed", by=self.v.placed_by)
        self.read_certificate()
        self.authenticate()
        # §3.4 consent screens of the visit date
        screens = SCREENS_BEFORE if self.v.visit_date < CONSENT_CHANGE else SCREENS_FROM
        self.event("consent-screens", screens=list(screens), answers=dict(self.v.consents))
        answer = self.confirm()
        code = (answer.get("message_body") or {}).get("processing_result_code")
        if code in OFFER_REGISTRATION:
            self.event("registration-offered", accepted=self.v.accept_registration)
            if not self.v.accept_registration:
                raise Ended({"result": "registration-declined"})
            reg = self.register()
            outcome = reg.get("outcome")
            if outcome == "registered":
                self.registered_here = True
            elif outcome != "already_registered":
                raise Ended({"result": "registration-refused", "response": reg})
            answer = self.confirm()
        return {"result": "answered", "response": answer}


class Config:
    card_timeout = 10.0
    http_timeout = 10.0
    retries = 1
    retry_pause = 0.5
    result_dir = None
    slots = 1
    slots_sem = threading.BoundedSemaphore(1)


# never two visits on one PC/SC reader; at most `slots` visits at once
SLOT_LOCKS = {}
SLOT_LOCKS_GUARD = threading.Lock()


def slot_lock(name):
    with SLOT_LOCKS_GUARD:
        return SLOT_LOCKS.setdefault(name, threading.Lock())


def run_visit(visit, cfg):
    """Returns (status, body): 200 with a VisitResponse, or 409 text."""
    t0 = time.monotonic()
    with cfg.slots_sem, slot_lock(visit.pcsc_reader):
        try:
            card = Card(visit.pcsc_reader, cfg.card_timeout)
        except NoCard as e:
            log.warning("%s: 409 %s", visit.visit_id, e)
            return 409, str(e)
        run = VisitRun(visit, card, cfg, t0 + VISIT_BUDGET)
        result_file_obj = None
        try:
            try:
                result = run.run()
            except Ended as e:
                result = e.result
            except (CardGone, CardError) as e:
                detail = "%s (%s)" % (UNREADABLE, e)
                run.event("error", detail=detail)
                run.method = None
                result = {"result": "card-unreadable", "detail": detail}
            except Refused as e:
                result = {"result": "refused", "code": e.code, "message": e.message}
            except Unavailable as e:
                result = {"result": "backend-unavailable", "detail": str(e)}
        finally:
            card.close()
        if result["result"] == "answered":
            result_file_obj = result_file(visit, result["response"], cfg.result_dir)
        outcome = {"result": result, "method": run.method, "events": run.events,
                   "exchanges": run.exchanges, "photo_stored": False,
                   "registered_here": run.registered_here}
        log.info("%s: %s method=%s registered_here=%s %.2fs", visit.visit_id,
                 result["result"], run.method, run.registered_here, time.monotonic() - t0)
        return 200, {"outcome": outcome, "result_file": result_file_obj}


# ----------------------------------------------------------------- HTTP server


class Handler(BaseHTTPRequestHandler):
    server_version = "pyreader/" + VERSION.split()[0]
    protocol_version = "HTTP/1.1"
    cfg = Config()

    def log_message(self, fmt, *args):   # requests carry PINs: log no bodies
        log.debug("%s %s", self.address_string(), fmt % args)

    def reply(self, status, body):
        if isinstance(body, (dict, list)):
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            ctype = "application/json"
        else:
            data = str(body).encode("utf-8")
            ctype = "text/plain; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/v1/reader":
            self.reply(200, {"vendor": VENDOR, "model": MODEL, "version": VERSION,
                             "slots": self.cfg.slots})
        else:
            self.reply(404, "no such route")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path != "/v1/visits":
            self.reply(404, "no such route")
            return
        try:
            visit = Visit(json.loads(raw.decode("utf-8")))
        except (ValueError, UnicodeDecodeError) as e:
            self.reply(400, "unreadable JSON: %s" % e)
            return
        except BadRequest as e:
            self.reply(400, str(e))
            return
        try:
            status, body = run_visit(visit, self.cfg)
        except Exception as e:   # a bug of this reader: say so rather than hang up
            log.exception("%s: internal error", visit.visit_id)
            self.reply(500, "internal error: %s" % e)
            return
        self.reply(status, body)


def main():
    ap = argparse.ArgumentParser(description="Python reader test mode for onshi")
    ap.add_argument("--listen", default="127.0.0.1:7070", help="HOST:PORT")
    ap.add_argument("--card-timeout", type=float, default=10.0,
                    help="seconds to wait for the card (default 10)")
    ap.add_argument("--http-timeout", type=float, default=10.0,
                    help="seconds per backend request (default 10)")
    ap.add_argument("--retries", type=int, default=1,
                    help="retries (fresh challenge) when the backend is unavailable")
    ap.add_argument("--result-dir", help="also write each face-result file here")
    ap.add_argument("--slots", type=int, default=1,
                    help="patients served at once, each at its own PC/SC reader (default 1)")
    ap.add_argument("--log", default="info", help="log level (debug, info, warning)")
    a = ap.parse_args()
    logging.basicConfig(level=getattr(logging, a.log.upper(), logging.INFO),
                        format="%(asctime)s reader %(levelname)s %(message)s")
    cfg = Config()
    cfg.card_timeout, cfg.http_timeout, cfg.retries = a.card_timeout, a.http_timeout, a.retries
    cfg.result_dir = a.result_dir
    cfg.slots = max(1, a.slots)
    cfg.slots_sem = threading.BoundedSemaphore(cfg.slots)
    Handler.cfg = cfg
    host, _, port = a.listen.rpartition(":")
    srv = ThreadingHTTPServer((host or "127.0.0.1", int(port)), Handler)
    srv.daemon_threads = True
    log.info("listening on http://%s:%d (%s %s %s)", host, srv.server_address[1],
             VENDOR, MODEL, VERSION)
    def stop(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()


if __name__ == "__main__":
    main()
