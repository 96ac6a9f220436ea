//! The virtual My Number Card: bytes in, bytes out.
//!
//! [`VirtualCard::transmit`] is the whole interface a reader sees. It routes SELECT by
//! AID to the three applications, keeps the current DF/EF and the per-session verified
//! flags, counts PIN tries, signs, and records every exchange in the APDU trace.

use super::apdu::Command;
use super::filesystem::{Access, Applet, EfKind, well_known_name};
use super::ids::{AppId, FileId, PinId};
use super::profile::{CardProfile, TamperMode};
use super::state::CardState;
use super::status::Status;
use super::trace::{ApduTrace, TraceEntry, TraceOp};
use super::{input_support, jpki, surface};

/// Largest input to `80 2A 00 80`: a 2048-bit modulus minus 11 bytes of PKCS#1 padding.
pub const MAX_SIGN_INPUT: usize = 245;

/// One PIN's counter and value.
#[derive(Debug, Clone)]
struct PinSlot {
    value: Vec<u8>,
    max: u8,
    left: u8,
}

/// A virtual My Number Card.
#[derive(Debug, Clone)]
pub struct VirtualCard {
    atr: Vec<u8>,
    applets: [Applet; 3],
    pins: [Option<PinSlot>; 7],
    locked_status: Status,
    tamper: Option<TamperMode>,
    // Session state (cleared on power cycle, reset and application SELECT).
    current_app: Option<AppId>,
    current_ef: Option<FileId>,
    verified: u8,
    // Evidence.
    trace: Option<ApduTrace>,
    seq: u64,
    state_revision: u64,
}

fn app_index(app: AppId) -> usize {
    match app {
        AppId::Jpki => 0,
        AppId::InputSupport => 1,
        AppId::Surface => 2,
    }
}

fn pin_bit(pin: PinId) -> u8 {
    1 << pin_index(pin)
}

fn pin_index(pin: PinId) -> usize {
    PinId::ALL.iter().position(|p| *p == pin).unwrap_or(0)
}

impl VirtualCard {
    /// Builds a powered-on card from a profile. Tracing starts enabled.
    pub fn new(profile: &CardProfile) -> Self {
        let pins = PinId::ALL.map(|pin| {
            let value = profile.pin_value(pin)?;
            let max = pin.default_tries();
            let left = profile
                .initial_state
                .tries_left
                .get(&pin)
                .copied()
                .unwrap_or(max)
                .min(max);
            Some(PinSlot { value, max, left })
        });
        Self {
            atr: profile.atr.clone(),
            applets: [
                jpki::build(profile),
                input_support::build(profile),
                surface::build(profile),
            ],
            pins,
            locked_status: profile.locked_status,
            tamper: profile.tamper,
            current_app: None,
            current_ef: None,
            verified: 0,
            trace: Some(ApduTrace::default()),
            seq: 0,
            state_revision: 0,
        }
    }

    /// The answer-to-reset.
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// Turns the APDU trace on or off (off for throughput benchmarks).
    pub fn set_tracing(&mut self, on: bool) {
        if on && self.trace.is_none() {
            self.trace = Some(ApduTrace::default());
        } else if !on {
            self.trace = None;
        }
    }

    /// The trace so far (empty when tracing is off).
    pub fn trace(&self) -> ApduTrace {
        self.trace.clone().unwrap_or_default()
    }

    /// Takes the trace, leaving an empty one.
    pub fn take_trace(&mut self) -> ApduTrace {
        self.trace.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// The persistent state: tries left per PIN.
    pub fn state(&self) -> CardState {
        let mut state = CardState::default();
        for (pin, slot) in PinId::ALL.iter().zip(&self.pins) {
            if let Some(slot) = slot {
                state.tries_left.insert(*pin, slot.left);
            }
        }
        state
    }

    /// The state to make durable *before* `apdu` runs, if it can change a retry
    /// counter: for a VERIFY with a value against a PIN with tries left, the current
    /// state with one try fewer. A real chip writes the decremented counter to its
    /// non-volatile memory before it compares the PIN, so pulling the power at any
    /// moment can cost a try but never give one back; whoever persists this card does
    /// the same with this state. `None` for every other command.
    pub fn state_at_stake(&self, apdu: &[u8]) -> Option<CardState> {
        let cmd = Command::parse(apdu).ok()?;
        if (cmd.cla, cmd.ins, cmd.p1) != (0x00, 0x20, 0x00) || cmd.data.is_empty() {
            return None;
        }
        if self.tamper.is_some() {
            return None;
        }
        let pin = self.pin_target(cmd.p2).ok()?;
        let left = self.pins[pin_index(pin)].as_ref()?.left;
        if left == 0 {
            return None;
        }
        let mut state = self.state();
        state.tries_left.insert(pin, left - 1);
        Some(state)
    }

    /// Replaces the persistent state (e.g. loaded from a state directory).
    pub fn restore(&mut self, state: &CardState) {
        for (pin, slot) in PinId::ALL.iter().zip(self.pins.iter_mut()) {
            if let (Some(slot), Some(left)) = (slot.as_mut(), state.tries_left.get(pin)) {
                slot.left = (*left).min(slot.max);
            }
        }
        self.state_revision += 1;
    }

    /// Increases whenever the persistent state changes; the shell saves when it moves.
    pub fn state_revision(&self) -> u64 {
        self.state_revision
    }

    /// Power off / on or warm reset: the session (current DF, verified PINs) is lost;
    /// retry counters are kept.
    pub fn reset(&mut self) {
        self.current_app = None;
        self.current_ef = None;
        self.verified = 0;
    }

    /// Every elementary file on the chip: application, id, name.
    pub fn files(&self) -> Vec<(AppId, FileId, &'static str)> {
        self.applets
            .iter()
            .flat_map(|a| a.files.iter().map(move |f| (a.app, f.id, f.name)))
            .collect()
    }

    /// Whether `pin` is locked.
    pub fn is_locked(&self, pin: PinId) -> bool {
        self.pins[pin_index(pin)]
            .as_ref()
            .is_some_and(|s| s.left == 0)
    }

    /// Sends one command APDU and returns the response (data + SW1 SW2). A mute
    /// (tampered) card returns no bytes at all.
    pub fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        self.transmit_into(apdu, &mut out, None);
        out
    }

    /// Like [`Self::transmit`], writing into `out` (cleared first) and stamping the trace
    /// entry with `at_us` (microseconds since the caller's epoch) when given.
    pub fn transmit_into(&mut self, apdu: &[u8], out: &mut Vec<u8>, at_us: Option<u64>) {
        out.clear();
        let app_before = self.current_app;
        let parsed = Command::parse(apdu);
        let mut op = None;
        match self.tamper {
            Some(TamperMode::Mute) => {}
            Some(TamperMode::Fault) => {
                out.extend_from_slice(&Status::NoPreciseDiagnosis.to_bytes())
            }
            None => {
                let status = match &parsed {
                    Ok(cmd) => self.dispatch(cmd, out, &mut op),
                    Err(sw) => Err(*sw),
                };
                match status {
                    Ok(()) => out.extend_from_slice(&Status::Success.to_bytes()),
                    Err(sw) => {
                        out.clear();
                        out.extend_from_slice(&sw.to_bytes());
                    }
                }
            }
        }
        if self.trace.is_some() {
            let entry = self.trace_entry(apdu, &parsed, op, app_before, out, at_us);
            if let Some(trace) = self.trace.as_mut() {
                trace.entries.push(entry);
            }
        }
        self.seq += 1;
    }

    fn dispatch(
        &mut self,
        cmd: &Command<'_>,
        out: &mut Vec<u8>,
        op: &mut Option<TraceOp>,
    ) -> Result<(), Status> {
        match (cmd.cla, cmd.ins) {
            (0x00, 0xA4) => self.select(cmd, op),
            (0x00, 0xB0) => self.read_binary(cmd, out, op),
            (0x00, 0x20) => self.verify(cmd, op),
            (0x80, 0x2A) => self.sign(cmd, out, op),
            (0x00 | 0x80, _) => Err(Status::InsNotSupported),
            _ => Err(Status::ClaNotSupported),
        }
    }

    fn applet(&self) -> Option<&Applet> {
        self.current_app.map(|app| &self.applets[app_index(app)])
    }

    fn select(&mut self, cmd: &Command<'_>, op: &mut Option<TraceOp>) -> Result<(), Status> {
        if !matches!(cmd.p2, 0x00 | 0x04 | 0x0C) {
            return Err(Status::IncorrectP1P2);
        }
        match cmd.p1 {
            0x04 => {
                *op = Some(TraceOp::SelectApp {
                    app: AppId::from_aid(cmd.data),
                    aid: onshi_support::hex::encode(cmd.data),
                });
                if cmd.data.is_empty() {
                    return Err(Status::WrongLength);
                }
                let app = AppId::from_aid(cmd.data).ok_or(Status::FileNotFound)?;
                self.current_app = Some(app);
                self.current_ef = None;
                self.verified = 0;
                Ok(())
            }
            0x00 if cmd.data.is_empty() || cmd.data == [0x3F, 0x00] => {
                *op = Some(TraceOp::SelectMf);
                self.current_app = None;
                self.current_ef = None;
                self.verified = 0;
                Ok(())
            }
            0x00 | 0x02 => {
                let [hi, lo] = cmd.data else {
                    return Err(Status::WrongLength);
                };
                let id = FileId(u16::from_be_bytes([*hi, *lo]));
                *op = Some(TraceOp::SelectFile {
                    app: self.current_app,
                    file: id,
                });
                let found = self.applet().and_then(|a| a.file(id)).is_some();
                if !found {
                    return Err(Status::FileNotFound);
                }
                self.current_ef = Some(id);
                Ok(())
            }
            _ => Err(Status::IncorrectP1P2),
        }
    }

    fn read_binary(
        &mut self,
        cmd: &Command<'_>,
        out: &mut Vec<u8>,
        op: &mut Option<TraceOp>,
    ) -> Result<(), Status> {
        let (file, offset) = if cmd.p1 & 0x80 != 0 {
            if cmd.p1 & 0x60 != 0 {
                return Err(Status::IncorrectP1P2);
            }
            let sfi = cmd.p1 & 0x1F;
            let id = self
                .applet()
                .and_then(|a| a.file_by_short_id(sfi))
                .map(|f| f.id)
                .ok_or(Status::FileNotFound)?;
            self.current_ef = Some(id);
            (Some(id), usize::from(cmd.p2))
        } else {
            (
                self.current_ef,
                usize::from(u16::from_be_bytes([cmd.p1, cmd.p2])),
            )
        };
        let record = |returned| TraceOp::ReadBinary {
            app: self.current_app,
            file,
            offset,
            le: cmd.le,
            returned,
        };
        *op = Some(record(0));
        if !cmd.data.is_empty() {
            return Err(Status::WrongLength);
        }
        let le = cmd.le.ok_or(Status::WrongLength)?;
        let file = file.ok_or(Status::CommandNotAllowedNoCurrentEf)?;
        let ef = self
            .applet()
            .and_then(|a| a.file(file))
            .ok_or(Status::CommandNotAllowedNoCurrentEf)?;
        let EfKind::Binary { data, read } = &ef.kind else {
            return Err(Status::IncompatibleWithFileStructure);
        };
        if let Access::AfterAnyOf(pins) = read
            && !pins.iter().any(|p| self.verified & pin_bit(*p) != 0)
        {
            return Err(Status::SecurityStatusNotSatisfied);
        }
        if offset > data.len() {
            return Err(Status::WrongP1P2);
        }
        let end = data.len().min(offset + le);
        out.extend_from_slice(&data[offset..end]);
        *op = Some(record(end - offset));
        Ok(())
    }

    fn pin_target(&self, p2: u8) -> Result<PinId, Status> {
        let applet = self.applet().ok_or(Status::ReferenceDataNotFound)?;
        let ef = match p2 {
            0x80 => self.current_ef.and_then(|id| applet.file(id)),
            p if p & 0x80 != 0 && p & 0x60 == 0 => applet.file_by_short_id(p & 0x1F),
            _ => return Err(Status::IncorrectP1P2),
        };
        match ef.map(|f| &f.kind) {
            Some(EfKind::Pin(pin)) => Ok(*pin),
            _ => Err(Status::ReferenceDataNotFound),
        }
    }

    fn verify(&mut self, cmd: &Command<'_>, op: &mut Option<TraceOp>) -> Result<(), Status> {
        let target = if cmd.p1 == 0x00 {
            self.pin_target(cmd.p2)
        } else {
            Err(Status::IncorrectP1P2)
        };
        *op = Some(if cmd.data.is_empty() {
            TraceOp::RetryQuery { pin: target.ok() }
        } else {
            TraceOp::Verify {
                pin: target.ok(),
                length: cmd.data.len(),
            }
        });
        let pin = target?;
        let index = pin_index(pin);
        let locked_status = self.locked_status;
        let slot = self.pins[index]
            .as_mut()
            .ok_or(Status::ReferenceDataNotFound)?;
        if cmd.data.is_empty() {
            // Retry query: always 63 Cx, even when verified (OpenSC depends on it).
            return Err(Status::VerificationFailed {
                tries_left: slot.left,
            });
        }
        if slot.left == 0 {
            return Err(locked_status);
        }
        let (min, max) = pin.length_range();
        if cmd.data.len() < min || cmd.data.len() > max {
            return Err(Status::WrongLength);
        }
        if constant_time_eq(&slot.value, cmd.data) {
            if slot.left != slot.max {
                slot.left = slot.max;
                self.state_revision += 1;
            }
            self.verified |= pin_bit(pin);
            Ok(())
        } else {
            slot.left -= 1;
            self.state_revision += 1;
            self.verified &= !pin_bit(pin);
            Err(Status::VerificationFailed {
                tries_left: slot.left,
            })
        }
    }

    fn sign(
        &mut self,
        cmd: &Command<'_>,
        out: &mut Vec<u8>,
        op: &mut Option<TraceOp>,
    ) -> Result<(), Status> {
        *op = Some(TraceOp::Sign {
            key: self.current_ef,
            length: cmd.data.len(),
        });
        if cmd.p1 != 0x00 || cmd.p2 != 0x80 {
            return Err(Status::IncorrectP1P2);
        }
        if cmd.data.is_empty() || cmd.data.len() > MAX_SIGN_INPUT {
            return Err(Status::WrongLength);
        }
        let ef = self
            .current_ef
            .and_then(|id| self.applet().and_then(|a| a.file(id)))
            .ok_or(Status::CommandNotAllowedNoCurrentEf)?;
        let EfKind::Key { key, use_after } = &ef.kind else {
            return Err(Status::CommandNotAllowedNoCurrentEf);
        };
        let allowed = use_after.is_some_and(|pin| self.verified & pin_bit(pin) != 0);
        if !allowed {
            return Err(Status::SecurityStatusNotSatisfied);
        }
        let signature = key
            .sign_padded(cmd.data)
            .map_err(|_| Status::IncorrectData)?;
        out.extend_from_slice(&signature);
        Ok(())
    }

    fn trace_entry(
        &self,
        apdu: &[u8],
        parsed: &Result<Command<'_>, Status>,
        op: Option<TraceOp>,
        app_before: Option<AppId>,
        response: &[u8],
        at_us: Option<u64>,
    ) -> TraceEntry {
        let op = op.unwrap_or_else(|| match parsed {
            Ok(cmd) => TraceOp::Other {
                header: onshi_support::hex::encode(&[cmd.cla, cmd.ins, cmd.p1, cmd.p2]),
            },
            Err(_) => TraceOp::Malformed,
        });
        let command = redacted_command(apdu);
        let status = Status::from_response(response);
        let meaning = describe(&op, app_before, status);
        TraceEntry {
            seq: self.seq,
            at_us,
            command,
            response: onshi_support::hex::encode_spaced(response),
            status,
            meaning,
            op,
        }
    }
}

/// Instructions whose data field carries a PIN or password: VERIFY (`20`, `21`),
/// CHANGE REFERENCE DATA (`24`, `25`) and RESET RETRY COUNTER (`2C`, `2D`).
pub const PIN_CARRYING_INS: [u8; 6] = [0x20, 0x21, 0x24, 0x25, 0x2C, 0x2D];

/// Hex of the command with the reference data of a PIN instruction replaced by `**`:
/// whatever its class, and whether it parsed or not, only CLA INS P1 P2 and the first
/// length byte stay readable (a case-4 VERIFY's Le or a wrong Lc must not shift a PIN
/// byte into view).
fn redacted_command(apdu: &[u8]) -> String {
    match apdu {
        [_, ins, _, _, _, rest @ ..] if PIN_CARRYING_INS.contains(ins) && !rest.is_empty() => {
            let mut text = onshi_support::hex::encode_spaced(&apdu[..5]);
            for _ in rest {
                text.push_str(" **");
            }
            text
        }
        _ => onshi_support::hex::encode_spaced(apdu),
    }
}

fn file_label(app: Option<AppId>, file: FileId) -> String {
    match app.and_then(|a| well_known_name(a, file)) {
        Some(name) => format!("EF {file} {name}"),
        None => format!("EF {file}"),
    }
}

fn describe(op: &TraceOp, app_before: Option<AppId>, status: Option<Status>) -> String {
    let what = match op {
        TraceOp::SelectApp { app: Some(app), .. } => format!("SELECT {}", app.japanese_name()),
        TraceOp::SelectApp { aid, .. } => format!("SELECT unknown AID {aid}"),
        TraceOp::SelectMf => "SELECT MF".to_owned(),
        TraceOp::SelectFile { app, file } => format!("SELECT {}", file_label(*app, *file)),
        TraceOp::ReadBinary {
            app,
            file,
            offset,
            le,
            ..
        } => {
            let le = le.map_or("-".to_owned(), |l| l.to_string());
            match file {
                Some(f) => format!(
                    "READ BINARY {} offset {offset} Le {le}",
                    file_label(*app, *f)
                ),
                None => format!("READ BINARY (no EF) offset {offset} Le {le}"),
            }
        }
        TraceOp::Verify {
            pin: Some(pin),
            length,
        } => format!("VERIFY {pin} [{length} bytes redacted]"),
        TraceOp::Verify { pin: None, length } => {
            format!("VERIFY (no PIN EF) [{length} bytes redacted]")
        }
        TraceOp::RetryQuery { pin: Some(pin) } => format!("VERIFY {pin} retry query"),
        TraceOp::RetryQuery { pin: None } => "VERIFY retry query (no PIN EF)".to_owned(),
        TraceOp::Sign { key, length } => match key {
            Some(k) => format!("SIGN {length} bytes with {}", file_label(app_before, *k)),
            None => format!("SIGN {length} bytes (no key EF)"),
        },
        TraceOp::Other { header } => format!("command {header}"),
        TraceOp::Malformed => "malformed APDU".to_owned(),
    };
    match status {
        Some(sw) => format!("{what} → {sw}"),
        None => format!("{what} → no answer"),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
