# Shared helpers for the end-to-end scripts: start and stop `skiff server`, run commands, compare output.
# Sourced by kubectl.sh and python.sh; expects `set -euo pipefail` in the caller.

E2E_FAILURES=0
E2E_CHECKS=0
SERVER_PID=""
SERVER_LOG=""
E2E_PIDS=()

e2e_log() { printf '[e2e %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Records a failed check loudly; the script goes on so one run reports every mismatch, and exits non-zero at the end.
fail() {
    E2E_FAILURES=$((E2E_FAILURES + 1))
    E2E_CHECKS=$((E2E_CHECKS + 1))
    {
        printf '\n\033[1;31mFAIL\033[0m %s\n' "$1"
        shift
        for line in "$@"; do printf '  %s\n' "$line"; done
        printf '\n'
    } >&2
}

pass() {
    E2E_CHECKS=$((E2E_CHECKS + 1))
    printf 'ok   %s\n' "$1"
}

# Fatal: the rest of the run cannot mean anything (the server did not start, ...).
die() {
    printf '\n\033[1;31mFATAL\033[0m %s\n' "$*" >&2
    exit 1
}

# run CMD...: runs a command (a program under a 60s timeout, or a function that bounds itself) and keeps its
# combined output in OUT and exit status in RC.
run() {
    local timeout=(timeout 60)
    if declare -F "$1" >/dev/null; then timeout=(); fi
    set +e
    OUT=$("${timeout[@]}" "$@" 2>&1)
    RC=$?
    set -e
}

# A command line as the reader would type it, for failure messages.
quoted() {
    local arg result=""
    for arg in "$@"; do result+="$(printf '%q' "$arg") "; done
    printf '%s' "${result% }"
}

# expect_ok NAME CMD...: the command must exit 0. Output stays in OUT.
expect_ok() {
    local name=$1
    shift
    run "$@"
    if [ "$RC" -ne 0 ]; then
        fail "$name" "command:  $(quoted "$@")" "expected: exit status 0" "actual:   exit status $RC" "output:" \
            "$(printf '%s\n' "$OUT" | sed -n 1,40p)"
        return 0
    fi
    pass "$name"
}

# expect_fail NAME NEEDLE CMD...: the command must exit non-zero and print NEEDLE.
expect_fail() {
    local name=$1 needle=$2
    shift 2
    run "$@"
    if [ "$RC" -eq 0 ] || [[ "$OUT" != *"$needle"* ]]; then
        fail "$name" "command:  $(quoted "$@")" "expected: non-zero exit and output containing: $needle" \
            "actual:   exit status $RC, output:" "$(printf '%s\n' "$OUT" | sed -n 1,40p)"
        return 0
    fi
    pass "$name"
}

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
    if [ "$2" != "$3" ]; then
        fail "$1" "expected: $(printf '%q' "$2")" "actual:   $(printf '%q' "$3")"
        return 0
    fi
    pass "$1"
}

# expect_contains NAME NEEDLE [HAYSTACK]: HAYSTACK defaults to OUT.
expect_contains() {
    local haystack=${3-$OUT}
    if [[ "$haystack" != *"$2"* ]]; then
        fail "$1" "expected output containing: $2" "actual output:" "$(printf '%s\n' "$haystack" | sed -n 1,40p)"
        return 0
    fi
    pass "$1"
}

expect_not_contains() {
    local haystack=${3-$OUT}
    if [[ "$haystack" == *"$2"* ]]; then
        fail "$1" "expected output NOT containing: $2" "actual output:" "$(printf '%s\n' "$haystack" | sed -n 1,40p)"
        return 0
    fi
    pass "$1"
}

# Whitespace-normalised text: runs of blanks become one space, trailing blanks go.
squeeze() { sed -E 's/[[:space:]]+/ /g; s/ $//'; }

# expect_line NAME LINE [HAYSTACK]: some line equals LINE after squeezing blanks; LINE may be an ERE if it starts
# with "^".
expect_line() {
    local haystack=${3-$OUT} found=1
    if [[ "$2" == ^* ]]; then
        printf '%s\n' "$haystack" | squeeze | grep -E -- "$2" >/dev/null && found=0
    else
        printf '%s\n' "$haystack" | squeeze | grep -Fx -- "$2" >/dev/null && found=0
    fi
    if [ "$found" -ne 0 ]; then
        fail "$1" "expected a line: $2" "actual output (blanks squeezed):" "$(printf '%s\n' "$haystack" | squeeze | sed -n 1,40p)"
        return 0
    fi
    pass "$1"
}

# expect_first_line NAME LINE: the first line of OUT, squeezed, equals LINE.
expect_first_line() {
    local first
    first=$(printf '%s\n' "$OUT" | sed -n 1p | squeeze)
    expect_eq "$1" "$2" "$first"
}

# json_get EXPR: evaluates a Python expression over `d` (the JSON in OUT) and prints the result.
json_get() {
    printf '%s' "$OUT" | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except Exception as error:
    print("<invalid JSON: %s>" % error)
    sys.exit(0)
try:
    v = eval(sys.argv[1])
except Exception as error:
    v = "<%s: %s>" % (type(error).__name__, error)
print(json.dumps(v) if isinstance(v, (dict, list, bool)) or v is None else v)
' "$1"
}

# expect_json NAME EXPR EXPECTED: json_get EXPR over OUT must print EXPECTED.
expect_json() {
    local actual
    actual=$(json_get "$2")
    if [ "$actual" != "$3" ]; then
        fail "$1" "expression: $2" "expected: $3" "actual:   $actual" "document:" "$(printf '%s\n' "$OUT" | sed -n 1,30p)"
        return 0
    fi
    pass "$1"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_server LOG [SUBCOMMAND]: starts `$SKIFF server` (or `$SKIFF apiserver`, ...) on $DATA_DIR and $PORT, waits
# for /readyz with the admin certificate.
start_server() {
    local log=$1 subcommand=${2:-server}
    e2e_log "starting $SKIFF $subcommand --data-dir $DATA_DIR --https-listen-port $PORT (log: $log)"
    "$SKIFF" "$subcommand" --data-dir "$DATA_DIR" --https-listen-port "$PORT" --bind-address 127.0.0.1 \
        --advertise-address 127.0.0.1 >>"$log" 2>&1 &
    SERVER_PID=$!
    SERVER_LOG=$log
    local deadline=$((SECONDS + 60))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            tail -40 "$log" >&2 || true
            die "skiff server exited during startup (log above)"
        fi
        if [ -f "$DATA_DIR/tls/client-admin.key" ] &&
            curl -sf --max-time 2 --cacert "$DATA_DIR/tls/ca.crt" --cert "$DATA_DIR/tls/client-admin.crt" \
                --key "$DATA_DIR/tls/client-admin.key" "https://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then
            e2e_log "server ready (pid $SERVER_PID) after $((SECONDS + 60 - deadline))s"
            return 0
        fi
        sleep 0.2
    done
    tail -40 "$log" >&2 || true
    die "skiff server did not answer /readyz within 60s (log above)"
}

stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        local deadline=$((SECONDS + 10))
        while kill -0 "$SERVER_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            fail "server stops on SIGTERM within 10s" "pid $SERVER_PID still running; sending SIGKILL" \
                "last lines of $SERVER_LOG:" "$(tail -20 "$SERVER_LOG" 2>/dev/null)"
            kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
        local status=0
        wait "$SERVER_PID" 2>/dev/null || status=$?
        # Only a clean stop counts: a SIGKILL above, or a crash while stopping, is a failure too.
        if [ "$status" -eq 0 ]; then pass "server exits 0 on SIGTERM"; else
            fail "server exits 0 on SIGTERM" "exit status $status" "last lines of $SERVER_LOG:" \
                "$(tail -20 "$SERVER_LOG" 2>/dev/null)"
        fi
    fi
    SERVER_PID=""
}

# Background helpers (watches, proxies) started by a script; killed on exit.
track_pid() { E2E_PIDS+=("$1"); }

e2e_cleanup() {
    local pid
    for pid in "${E2E_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    stop_server
}

# curl_admin ARGS...: curl with the cluster CA and the admin client certificate.
curl_admin() {
    curl -sS --max-time 20 --cacert "$DATA_DIR/tls/ca.crt" --cert "$DATA_DIR/tls/client-admin.crt" \
        --key "$DATA_DIR/tls/client-admin.key" "$@"
}

# curl_anon ARGS...: curl trusting the cluster CA, without a client certificate.
curl_anon() {
    curl -sS --max-time 20 --cacert "$DATA_DIR/tls/ca.crt" "$@"
}

finish() {
    local name=$1
    if [ "$E2E_FAILURES" -ne 0 ]; then
        printf '\n\033[1;31m%s: %d of %d checks FAILED\033[0m (see FAIL lines above)\n' "$name" "$E2E_FAILURES" \
            "$E2E_CHECKS" >&2
        exit 1
    fi
    printf '\n%s: all %d checks passed\n' "$name" "$E2E_CHECKS"
}

# e2e_kubectl_setup NAME [path/to/skiff]: the common start of a kubectl suite. Resolves SKIFF (the argument or
# $SKIFF), checks for kubectl, curl and python3, makes WORK (skiff-e2e-NAME.XXXXXX) with DATA_DIR, CACHE, PORT and
# KUBECONFIG, and traps EXIT to stop the servers and remove WORK, which stays when a check failed or E2E_KEEP=1.
e2e_kubectl_setup() {
    local name=$1
    SKIFF=${2:-${SKIFF:-}}
    [ -n "$SKIFF" ] || die "usage: $0 path/to/skiff (or set SKIFF)"
    [ -x "$SKIFF" ] || die "not an executable: $SKIFF"
    SKIFF=$(cd "$(dirname "$SKIFF")" && pwd)/$(basename "$SKIFF")
    command -v kubectl >/dev/null || die "kubectl is not installed (CI installs it; see .ci/run)"
    command -v curl >/dev/null || die "curl is not installed"
    command -v python3 >/dev/null || die "python3 is not installed (used to pick free ports and read JSON)"
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/skiff-e2e-$name.XXXXXX")
    DATA_DIR=$WORK/data
    CACHE=$WORK/kube-cache
    PORT=$(free_port)
    export KUBECONFIG=$DATA_DIR/kubeconfig.yaml
    trap e2e_kubectl_exit EXIT
    e2e_log "work dir $WORK"
}

# The EXIT trap of a kubectl suite: reports an abort, stops what the suite started, keeps WORK when useful.
e2e_kubectl_exit() {
    local status=$?
    if [ "$status" -ne 0 ] && [ "$E2E_FAILURES" -eq 0 ]; then
        printf '\n\033[1;31mFATAL\033[0m %s aborted with exit status %d after the last check above\n' "$0" "$status" >&2
        E2E_FAILURES=1
    fi
    e2e_cleanup
    if [ "${E2E_KEEP:-0}" = 1 ] || [ "$E2E_FAILURES" -ne 0 ]; then
        e2e_log "kept $WORK (server log: $WORK/server.log)"
    else
        rm -rf "$WORK"
    fi
}

# k ARGS...: kubectl with the suite's fresh cache dir and bounded time.
k() { timeout 90 kubectl --cache-dir "$CACHE" --request-timeout=30s "$@"; }

# wait_for NAME EXPECTED ARGS...: polls `k ARGS` for up to 30 s until it prints EXPECTED, then checks it.
wait_for() {
    local name=$1 expected=$2
    shift 2
    local attempt
    for attempt in $(seq 1 60); do
        run k "$@"
        [ "$OUT" = "$expected" ] && break
        sleep 0.5
    done
    expect_eq "$name" "$expected" "$OUT"
}

# wait_jsonpath NAME EXPECTED ARGS...: wait_for NAME EXPECTED get ARGS (usually with -o jsonpath=...).
wait_jsonpath() { wait_for "$1" "$2" get "${@:3}"; }

