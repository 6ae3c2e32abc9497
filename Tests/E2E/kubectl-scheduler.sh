#!/usr/bin/env bash
# End-to-end: the scheduler inside `skiff server`, as the real kubectl sees it: pods bound to
# Node objects (no kubelet), FailedScheduling in describe and events, rescheduling when a node appears.
#
#   Tests/E2E/kubectl-scheduler.sh [path/to/skiff]        (or SKIFF=path/to/skiff)
#
# Starts `skiff server` in a temporary data dir on a free 127.0.0.1 port and stops it on exit. E2E_KEEP=1 keeps
# the temporary dir.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

e2e_kubectl_setup scheduler "$@"

node() {
    cat <<YAML
apiVersion: v1
kind: Node
metadata:
  name: $1
  labels: {kubernetes.io/hostname: $1, topology.kubernetes.io/zone: $3}
status:
  capacity: {cpu: "$2", memory: 32Gi, pods: "110"}
  allocatable: {cpu: "$2", memory: 32Gi, pods: "110"}
  conditions: [{type: Ready, status: "True"}]
YAML
}

pod() {
    cat <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1, namespace: default, labels: {app: $1}}
spec:
  containers: [{name: c, image: registry.invalid/pause:1, resources: {requests: {cpu: "$2"}}}]
YAML
}

start_server "$WORK/server.log"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "binding pods to nodes"

node n1 2 zone-a > "$WORK/n1.yaml"
expect_ok "create node n1 (2 CPU)" k create -f "$WORK/n1.yaml"
pod small 500m > "$WORK/small.yaml"
expect_ok "create pod small" k create -f "$WORK/small.yaml"
wait_jsonpath "small is bound to n1" "n1" pod small -o 'jsonpath={.spec.nodeName}'
wait_jsonpath "small has PodScheduled=True" "True" \
    pod small -o 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].status}'
run k get events --field-selector involvedObject.name=small -o 'jsonpath={.items[*].reason}'
expect_contains "a Scheduled event for small" "Scheduled"
run k describe pod small
expect_contains "describe shows the Scheduled event" "Successfully assigned default/small to n1"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "unschedulable pods and rescheduling"

pod big 3 > "$WORK/big.yaml"
expect_ok "create pod big (3 CPU)" k create -f "$WORK/big.yaml"
wait_jsonpath "big has PodScheduled=False" "False" \
    pod big -o 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].status}'
run k get pod big -o 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].reason}'
expect_eq "big is Unschedulable" "Unschedulable" "$OUT"
run k get pod big -o 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}'
expect_contains "the condition says why" "0/1 nodes are available: 1 Insufficient cpu."
run k describe pod big
expect_contains "describe shows FailedScheduling" "FailedScheduling"
node n2 4 zone-b > "$WORK/n2.yaml"
expect_ok "create node n2 (4 CPU)" k create -f "$WORK/n2.yaml"
wait_jsonpath "big is bound to n2 once it exists" "n2" pod big -o 'jsonpath={.spec.nodeName}'

# ---------------------------------------------------------------------------------------------------------------
e2e_log "node selection"

expect_ok "cordon n1" k cordon n1
expect_ok "label n2" k label node n2 disk=ssd
cat > "$WORK/picky.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: picky, namespace: default}
spec:
  nodeSelector: {disk: ssd}
  containers: [{name: c, image: registry.invalid/pause:1}]
YAML
expect_ok "create pod picky with a node selector" k create -f "$WORK/picky.yaml"
wait_jsonpath "picky lands on the labelled node" "n2" pod picky -o 'jsonpath={.spec.nodeName}'
pod after-cordon 100m > "$WORK/after.yaml"
expect_ok "create pod after-cordon" k create -f "$WORK/after.yaml"
wait_jsonpath "a cordoned node gets no new pods" "n2" pod after-cordon -o 'jsonpath={.spec.nodeName}'

stop_server
finish "kubectl scheduler e2e"
