#!/usr/bin/env bash
# End-to-end: the controllers inside `skiff server`, as the real kubectl sees them: every namespace gets its
# `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap (both restored when deleted or changed), pods need
# their ServiceAccount to exist, and a deleted namespace is emptied and goes away.
#
#   Tests/E2E/kubectl-controllers.sh [path/to/skiff]        (or SKIFF=path/to/skiff)
#
# Starts `skiff server` in a temporary data dir on a free 127.0.0.1 port and stops it on exit. E2E_KEEP=1 keeps
# the temporary dir.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

e2e_kubectl_setup controllers "$@"

start_server "$WORK/server.log"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "service accounts and the root CA in every namespace"

for ns in default kube-system kube-public kube-node-lease; do
    wait_for "namespace $ns has the default ServiceAccount" "serviceaccount/default" get serviceaccount default -n "$ns" -o name
    wait_for "namespace $ns has kube-root-ca.crt" "configmap/kube-root-ca.crt" get configmap kube-root-ca.crt -n "$ns" -o name
done
run k get configmap kube-root-ca.crt -n default -o 'jsonpath={.data.ca\.crt}'
if [ "$OUT" = "$(cat "$DATA_DIR/tls/ca.crt")" ]; then pass "kube-root-ca.crt holds the cluster CA"; else
    fail "kube-root-ca.crt holds the cluster CA" "got: $(printf '%s' "$OUT" | head -3)"
fi
run k get configmap kube-root-ca.crt -n default -o 'jsonpath={.metadata.annotations.kubernetes\.io/description}'
expect_contains "with upstream's description" "Contains a CA bundle that can be used to verify the kube-apiserver"

expect_ok "create namespace team" k create namespace team
expect_ok "a pod in the brand-new namespace is admitted (its default account appears in time)" \
    k run first --image=registry.invalid/pause:1 -n team
run k get pod first -n team -o 'jsonpath={.spec.serviceAccountName} {.spec.volumes[0].projected.sources[1].configMap.name}'
expect_eq "the pod runs as default and mounts the root CA ConfigMap" "default kube-root-ca.crt" "$OUT"

run k get serviceaccount default -n team -o 'jsonpath={.metadata.uid}'
OLD_UID=$OUT
expect_ok "delete the default ServiceAccount" k delete serviceaccount default -n team
wait_for "the default ServiceAccount is re-created" "serviceaccount/default" get serviceaccount default -n team -o name
run k get serviceaccount default -n team -o 'jsonpath={.metadata.uid}'
if [ -n "$OUT" ] && [ "$OUT" != "$OLD_UID" ]; then pass "the re-created account is a new object"; else
    fail "the re-created account is a new object" "before: $OLD_UID" "after:  $OUT"
fi

expect_ok "overwrite kube-root-ca.crt" k patch configmap kube-root-ca.crt -n team --type merge -p '{"data":{"ca.crt":"bogus"}}'
wait_for "a changed kube-root-ca.crt is put back" "$(cat "$DATA_DIR/tls/ca.crt")" \
    get configmap kube-root-ca.crt -n team -o 'jsonpath={.data.ca\.crt}'
expect_ok "delete kube-root-ca.crt" k delete configmap kube-root-ca.crt -n team
wait_for "a deleted kube-root-ca.crt is re-created" "configmap/kube-root-ca.crt" \
    get configmap kube-root-ca.crt -n team -o name

expect_fail "a pod naming a missing ServiceAccount is forbidden" \
    'pods "ghost" is forbidden: error looking up service account team/builder: serviceaccount "builder" not found' \
    k run ghost --image=registry.invalid/pause:1 -n team --overrides='{"spec":{"serviceAccountName":"builder"}}'
expect_ok "create ServiceAccount builder" k create serviceaccount builder -n team
expect_ok "then it is admitted" \
    k run ghost --image=registry.invalid/pause:1 -n team --overrides='{"spec":{"serviceAccountName":"builder"}}'

# ---------------------------------------------------------------------------------------------------------------
e2e_log "namespace deletion"

expect_ok "delete namespace team" k delete namespace team --wait=false
wait_for "the namespace and everything in it go away" "" get namespace team --ignore-not-found -o name

stop_server
finish "kubectl controllers e2e"
