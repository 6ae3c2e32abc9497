#!/usr/bin/env bash
# End-to-end: the official Python client (PyPI `kubernetes`) against a real `skiff server`.
#
#   Tests/E2E/python.sh [path/to/skiff]        (or SKIFF=path/to/skiff)
#
# Starts the server in a temporary data dir on a free 127.0.0.1 port, makes a venv there (`python3 -m venv`),
# installs `kubernetes` from PyPI and runs python_client.py with the admin kubeconfig. E2E_PYTHON_VENV=dir reuses
# (and creates if missing) a venv elsewhere, to skip the install on reruns. E2E_KEEP=1 keeps the temporary dir.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

SKIFF=${1:-${SKIFF:-}}
[ -n "$SKIFF" ] || die "usage: $0 path/to/skiff (or set SKIFF)"
[ -x "$SKIFF" ] || die "not an executable: $SKIFF"
SKIFF=$(cd "$(dirname "$SKIFF")" && pwd)/$(basename "$SKIFF")
command -v python3 >/dev/null || die "python3 is not installed"
command -v curl >/dev/null || die "curl is not installed"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/skiff-e2e-python.XXXXXX")
DATA_DIR=$WORK/data
PORT=$(free_port)
cleanup() {
    local status=$?
    if [ "$status" -ne 0 ] && [ "$E2E_FAILURES" -eq 0 ]; then
        printf '\n\033[1;31mFATAL\033[0m %s aborted with exit status %d after the last check above\n' "$0" "$status" >&2
        E2E_FAILURES=1
    fi
    e2e_cleanup
    rm -rf "$WORK/venv"
    if [ "${E2E_KEEP:-0}" = 1 ] || [ "$E2E_FAILURES" -ne 0 ]; then
        e2e_log "kept $WORK (server log: $WORK/server.log)"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
e2e_log "work dir $WORK"

VENV=${E2E_PYTHON_VENV:-$WORK/venv}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import kubernetes' 2>/dev/null; then
    e2e_log "creating venv $VENV and installing kubernetes from PyPI"
    python3 -m venv "$VENV" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check kubernetes || die "pip install kubernetes failed"
fi
e2e_log "kubernetes client $("$VENV/bin/python" -c 'import kubernetes; print(kubernetes.__version__)')"

start_server "$WORK/server.log"

set +e
"$VENV/bin/python" -u "$HERE/python_client.py" "$DATA_DIR/kubeconfig.yaml"
status=$?
set -e
if [ "$status" -ne 0 ]; then
    fail "python_client.py" "exit status $status (failures above)"
fi
stop_server
finish "python e2e"
