#!/usr/bin/env bash
# End-to-end: the control-plane components as separate processes, as kube-scheduler and kube-controller-manager
# run beside kube-apiserver: `skiff controller-manager` (its controllers, Lease, health), then two `skiff scheduler`
# replicas behind leader election on the kube-system/kube-scheduler Lease, their HTTPS health and metrics
# endpoints, a hand-over when the leader stops, and a leader that cannot renew exiting.
#
#   Tests/E2E/kubectl-components.sh [path/to/skiff]        (or SKIFF=path/to/skiff)
#
# Starts `skiff apiserver` (no scheduler or controllers of its own) in a temporary data dir on a free 127.0.0.1
# port, and the components against its admin kubeconfig; stops them all on exit. E2E_KEEP=1 keeps the temporary dir.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

e2e_kubectl_setup components "$@"

# curl_component PORT PATH: curl to a scheduler's self-signed HTTPS endpoint; prints the body, then the status code.
curl_component() {
    curl -sS -k --max-time 10 -w '\n%{http_code}' "https://127.0.0.1:$1$2"
}

# start_scheduler NAME PORT: a scheduler with short leader-election timings, logging to $WORK/NAME.log.
start_scheduler() {
    "$SKIFF" scheduler --kubeconfig "$KUBECONFIG" --bind-address 127.0.0.1 --secure-port "$2" \
        --leader-elect-lease-duration 4s --leader-elect-renew-deadline 3s --leader-elect-retry-period 500ms \
        --log-level debug >>"$WORK/$1.log" 2>&1 &
    track_pid $!
    eval "${1}_PID=$!"
}

# wait_log NAME NEEDLE: waits up to 30 s for NEEDLE in $WORK/NAME.log.
wait_log() {
    local attempt
    for attempt in $(seq 1 60); do
        grep -qF -- "$2" "$WORK/$1.log" 2>/dev/null && return 0
        sleep 0.5
    done
    return 1
}

pod() {
    cat <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1, namespace: default}
spec:
  containers: [{name: c, image: registry.invalid/pause:1, resources: {requests: {cpu: 100m}}}]
YAML
}

start_server "$WORK/server.log" apiserver

cat > "$WORK/node.yaml" <<YAML
apiVersion: v1
kind: Node
metadata: {name: n1, labels: {kubernetes.io/hostname: n1}}
status:
  capacity: {cpu: "4", memory: 32Gi, pods: "110"}
  allocatable: {cpu: "4", memory: 32Gi, pods: "110"}
  conditions: [{type: Ready, status: "True"}]
YAML
expect_ok "create node n1" k create -f "$WORK/node.yaml"
pod before > "$WORK/before.yaml"
expect_ok "create a pod before any scheduler runs" k create -f "$WORK/before.yaml"
run k get pod before -o 'jsonpath={.spec.nodeName}'
expect_eq "the API server alone binds nothing" "" "$OUT"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "the controller manager as its own process"

run k get serviceaccounts -A -o name
expect_eq "the API server alone creates no service accounts" "" "$OUT"
PORT_CM=$(free_port)
"$SKIFF" controller-manager --kubeconfig "$KUBECONFIG" --root-ca-file "$DATA_DIR/tls/ca.crt" \
    --bind-address 127.0.0.1 --secure-port "$PORT_CM" --leader-elect-lease-duration 4s \
    --leader-elect-renew-deadline 3s --leader-elect-retry-period 500ms >>"$WORK/cm.log" 2>&1 &
CM_PID=$!
track_pid "$CM_PID"
wait_jsonpath "it creates the default ServiceAccount in kube-system" "default" \
    serviceaccount default -n kube-system -o 'jsonpath={.metadata.name}'
wait_jsonpath "and publishes kube-root-ca.crt" "kube-root-ca.crt" \
    configmap kube-root-ca.crt -n default -o 'jsonpath={.metadata.name}'
run k get lease kube-controller-manager -n kube-system -o 'jsonpath={.spec.holderIdentity}'
expect_line "it holds the kube-controller-manager Lease" "^$(hostname)_[0-9a-f-]{36}$"
run curl_component "$PORT_CM" '/healthz?verbose'
expect_eq "its /healthz checks its leadership" "[+]ping ok
[+]leaderElection ok
healthz check passed

200" "$OUT"
expect_ok "create namespace scratch" k create namespace scratch
expect_ok "delete namespace scratch" k delete namespace scratch --wait=false
wait_jsonpath "its namespace controller finalizes a deleted namespace" "" namespace scratch --ignore-not-found -o name
expect_fail "an unknown controller name is rejected" '"bogus" is not in the list of known controllers' \
    "$SKIFF" controller-manager --kubeconfig "$KUBECONFIG" --controllers '*,bogus'

# ---------------------------------------------------------------------------------------------------------------
e2e_log "two schedulers, one leader"

PORT_A=$(free_port)
PORT_B=$(free_port)
start_scheduler sched_a "$PORT_A"
wait_log sched_a "Started leading" || fail "the first scheduler leads" "$(tail -20 "$WORK/sched_a.log")"
start_scheduler sched_b "$PORT_B"
wait_jsonpath "the pod created earlier is bound once a scheduler leads" "n1" pod before -o 'jsonpath={.spec.nodeName}'

run k get lease kube-scheduler -n kube-system -o 'jsonpath={.spec.holderIdentity}'
expect_line "the Lease names the leader as <hostname>_<uuid>" "^$(hostname)_[0-9a-f-]{36}$"
LEADER=$OUT
run k get lease kube-scheduler -n kube-system -o 'jsonpath={.spec.leaseDurationSeconds}'
expect_eq "the Lease carries --leader-elect-lease-duration" "4" "$OUT"

run curl_component "$PORT_A" /healthz
expect_eq "the leader's /healthz is ok" "ok
200" "$OUT"
run curl_component "$PORT_A" '/livez?verbose'
expect_eq "/livez?verbose lists its checks" "[+]ping ok
[+]leaderElection ok
livez check passed

200" "$OUT"
run curl_component "$PORT_A" '/readyz?verbose'
expect_eq "the leader is ready once its caches synced" "[+]ping ok
[+]leaderElection ok
[+]sched-handler-sync ok
readyz check passed

200" "$OUT"
run curl_component "$PORT_B" /readyz
expect_eq "the standby is ready too: its caches sync before it campaigns" "ok
200" "$OUT"
run curl_component "$PORT_B" /healthz/leaderElection
expect_eq "the standby's leaderElection check passes" "ok
200" "$OUT"
run curl_component "$PORT_A" /apis
expect_contains "other paths are not served" "404"

run curl_component "$PORT_A" /metrics
expect_line "the leader counts its scheduled pod" '^scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} [1-9]'
expect_contains "scheduling latency is a histogram with upstream's buckets" \
    'scheduler_scheduling_attempt_duration_seconds_bucket{result="scheduled",profile="default-scheduler",le="0.001"}'
expect_line "process metrics are exported" '^process_resident_memory_bytes [0-9.e+]+$'
run curl_component "$PORT_B" /metrics
expect_not_contains "the standby scheduled nothing" 'result="scheduled",profile="default-scheduler"} 1'

# ---------------------------------------------------------------------------------------------------------------
e2e_log "hand-over when the leader stops"

run k get lease kube-scheduler -n kube-system -o 'jsonpath={.spec.leaseTransitions}'
TRANSITIONS=${OUT:-0}
kill -TERM "$sched_a_PID"
set +e
timeout 20 tail --pid="$sched_a_PID" -f /dev/null
wait "$sched_a_PID"
STATUS=$?
set -e
expect_eq "the leader exits 0 on SIGTERM" "0" "$STATUS"
wait_log sched_b "Started leading" || fail "the standby takes over" "$(tail -20 "$WORK/sched_b.log")"
run k get lease kube-scheduler -n kube-system -o 'jsonpath={.spec.holderIdentity}'
if [ "$OUT" != "$LEADER" ] && [[ "$OUT" == "$(hostname)_"* ]]; then pass "the Lease names the new leader"; else
    fail "the Lease names the new leader" "old: $LEADER" "now: $OUT"
fi
run k get lease kube-scheduler -n kube-system -o 'jsonpath={.spec.leaseTransitions}'
expect_eq "leaseTransitions counts the hand-over" "$((TRANSITIONS + 1))" "$OUT"
pod after > "$WORK/after.yaml"
expect_ok "create a pod after the hand-over" k create -f "$WORK/after.yaml"
wait_jsonpath "the new leader binds it" "n1" pod after -o 'jsonpath={.spec.nodeName}'
run curl_component "$PORT_B" /metrics
expect_line "the new leader counts it" '^scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} [1-9]'

# ---------------------------------------------------------------------------------------------------------------
e2e_log "a leader that cannot renew exits"

stop_server
set +e
timeout 30 tail --pid="$sched_b_PID" -f /dev/null
wait "$sched_b_PID"
STATUS=$?
set -e
expect_eq "without the API server the leader gives up after its renew deadline and exits 1" "1" "$STATUS"
run grep -c "leaderelection lost" "$WORK/sched_b.log"
expect_eq "it says why" "1" "$OUT"

finish "kubectl components e2e"
