#!/bin/sh
# Start the Python reader test mode on a loopback port, run onshi's conformance suite
# against it with cards through vpcd, stop the reader, and exit with onshi's exit code.
#
#   examples/reader-python/run-suite.sh [any onshi run option…]      e.g. --tags @FAQ-4-11
#
# Environment (defaults are a normal machine's: the system pcscd with vsmartcard-vpcd):
#   ONSHI               the onshi binary                    (default: onshi on PATH)
#   PYTHON              a Python with pyscard + cryptography (default: /usr/bin/python3)
#   READER_PORT         the reader's port on 127.0.0.1       (default: 7070)
#   VPCD                the vpcd address onshi serves cards on (default: 127.0.0.1:35963)
#   PCSC_READER         the PC/SC name of that vpcd slot     (default: Virtual PCD 00 00)
#   READER_SLOTS        patients at once, 1 or 2             (default: 1)
#   PCSC_READER2        with 2 slots: the second slot's name, on the vpcd port + 1
#                                                            (default: Virtual PCD 00 01)
#   PCSCLITE_CSOCK_NAME pcscd's socket, for a private pcscd  (default: unset = the system one)
#   READER_LOG          where the reader logs                (default: reader.log in $TMPDIR)
set -u

here=$(cd "$(dirname "$0")" && pwd)
ONSHI=${ONSHI:-onshi}
PYTHON=${PYTHON:-/usr/bin/python3}
READER_PORT=${READER_PORT:-7070}
VPCD=${VPCD:-127.0.0.1:35963}
PCSC_READER=${PCSC_READER:-Virtual PCD 00 00}
READER_SLOTS=${READER_SLOTS:-1}
PCSC_READER2=${PCSC_READER2:-Virtual PCD 00 01}
READER_LOG=${READER_LOG:-${TMPDIR:-/tmp}/reader-python-$READER_PORT.log}
if [ -n "${PCSCLITE_CSOCK_NAME:-}" ]; then export PCSCLITE_CSOCK_NAME; fi

"$PYTHON" "$here/reader.py" --listen "127.0.0.1:$READER_PORT" --slots "$READER_SLOTS" \
    >"$READER_LOG" 2>&1 &
reader_pid=$!
stop_reader() {
    if kill -0 "$reader_pid" 2>/dev/null; then
        kill -TERM "$reader_pid" 2>/dev/null
        wait "$reader_pid" 2>/dev/null
    fi
}
trap 'stop_reader; exit 143' TERM
trap 'stop_reader; exit 130' INT

# wait until the reader answers GET /v1/reader (at most 10 s)
i=0
until "$PYTHON" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$READER_PORT/v1/reader', timeout=1)" 2>/dev/null; do
    i=$((i + 1))
    if [ "$i" -ge 50 ] || ! kill -0 "$reader_pid" 2>/dev/null; then
        echo "run-suite: the reader did not start; its log ($READER_LOG):" >&2
        cat "$READER_LOG" >&2
        stop_reader
        exit 3
    fi
    sleep 0.2
done

if [ "$READER_SLOTS" -ge 2 ]; then
    set -- --pcsc-reader "$PCSC_READER" --pcsc-reader "$PCSC_READER2" "$@"
else
    set -- --pcsc-reader "$PCSC_READER" "$@"
fi
"$ONSHI" run --reader "http://127.0.0.1:$READER_PORT" --vpcd "$VPCD" "$@"
rc=$?
stop_reader
echo "run-suite: onshi exited $rc (reader log: $READER_LOG)" >&2
exit $rc
