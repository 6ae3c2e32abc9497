#!/usr/bin/env bash
# End-to-end: the controllers inside `skiff server`, as the real kubectl sees them: every namespace gets its
# `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap (both restored when deleted or changed), pods need
# their ServiceAccount to exist, the garbage collector deletes dependents whose owners are gone and carries out
# foreground and orphan deletion, and a deleted namespace is emptied and goes away.
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
e2e_log "garbage collection"

GC=gc-e2e
expect_ok "create namespace $GC" k create namespace "$GC"
# uid KIND NAME: the object's uid in $GC (or cluster-wide for cluster-scoped kinds).
uid() { timeout 60 kubectl --cache-dir "$CACHE" -n "$GC" get "$1" "$2" -o 'jsonpath={.metadata.uid}'; }
# owned KIND NAME OWNERS [FINALIZERS]: a ConfigMap or Secret in $GC with the given ownerReferences (YAML flow list)
# and finalizers.
owned() {
    cat <<YAML | k -n "$GC" apply -f -
apiVersion: v1
kind: $1
metadata:
  name: $2
  ownerReferences: $3
  finalizers: ${4:-[]}
YAML
}
ref() { printf '{apiVersion: %s, kind: %s, name: %s, uid: "%s", blockOwnerDeletion: %s}' "$1" "$2" "$3" "$4" "${5:-true}"; }

expect_ok "create owner configmap" k -n "$GC" create configmap owner
OWNER_UID=$(uid configmap owner)
expect_ok "a ConfigMap owned by it" owned ConfigMap cm-child "[$(ref v1 ConfigMap owner "$OWNER_UID")]"
expect_ok "a Secret owned by it" owned Secret secret-child "[$(ref v1 ConfigMap owner "$OWNER_UID")]"
expect_ok "create second owner" k -n "$GC" create configmap other
OTHER_UID=$(uid configmap other)
expect_ok "a ConfigMap owned by both" owned ConfigMap shared \
    "[$(ref v1 ConfigMap owner "$OWNER_UID"), $(ref v1 ConfigMap other "$OTHER_UID")]"
expect_ok "delete the owner (background)" k -n "$GC" delete configmap owner
wait_for "its ConfigMap dependent is collected" "" -n "$GC" get configmap cm-child --ignore-not-found -o name
wait_for "its Secret dependent is collected" "" -n "$GC" get secret secret-child --ignore-not-found -o name
wait_for "a dependent with another owner only loses the reference" "other" \
    -n "$GC" get configmap shared -o 'jsonpath={.metadata.ownerReferences[*].name}'

expect_ok "a ConfigMap whose owner never existed" owned ConfigMap dangling \
    "[$(ref v1 ConfigMap ghost 00000000-0000-0000-0000-000000000000)]"
wait_for "is collected" "" -n "$GC" get configmap dangling --ignore-not-found -o name
expect_ok "a ConfigMap naming a live owner with the wrong uid" owned ConfigMap wrong-uid \
    "[$(ref v1 ConfigMap other 11111111-1111-1111-1111-111111111111)]"
wait_for "is collected too" "" -n "$GC" get configmap wrong-uid --ignore-not-found -o name
expect_ok "the owner with the same name stays" k -n "$GC" get configmap other

expect_ok "create a cluster-scoped owner" k create clusterrole gc-e2e-owner --verb=get --resource=pods
ROLE_UID=$(timeout 60 kubectl --cache-dir "$CACHE" get clusterrole gc-e2e-owner -o 'jsonpath={.metadata.uid}')
expect_ok "a ConfigMap owned by the ClusterRole" owned ConfigMap role-child \
    "[$(ref rbac.authorization.k8s.io/v1 ClusterRole gc-e2e-owner "$ROLE_UID")]"
sleep 1
expect_ok "while its owner exists the dependent stays" k -n "$GC" get configmap role-child
expect_ok "delete the ClusterRole" k delete clusterrole gc-e2e-owner
wait_for "the namespaced dependent of a cluster-scoped owner is collected" "" \
    -n "$GC" get configmap role-child --ignore-not-found -o name

# A namespaced owner lives in its dependents' namespace: a reference into another namespace never resolves.
OTHER_NS_UID=$(timeout 60 kubectl --cache-dir "$CACHE" -n default get configmap kube-root-ca.crt -o 'jsonpath={.metadata.uid}')
expect_ok "a ConfigMap naming an owner in another namespace" owned ConfigMap cross-ns \
    "[$(ref v1 ConfigMap kube-root-ca.crt "$OTHER_NS_UID" false)]"
wait_for "is collected" "" -n "$GC" get configmap cross-ns --ignore-not-found -o name
wait_for "with an OwnerRefInvalidNamespace warning event about it" "Warning cross-ns" \
    -n "$GC" get events --field-selector reason=OwnerRefInvalidNamespace -o 'jsonpath={.items[0].type} {.items[0].involvedObject.name}'
expect_ok "the owner in its own namespace stays" k -n default get configmap kube-root-ca.crt

# Foreground: the owner waits for its blocking dependents. Finalizers of our own hold each object so that every
# step can be seen.
HOLD=e2e.skiff.dev/hold
expect_ok "create owner fg (held by a finalizer)" owned ConfigMap fg "[]" "[$HOLD]"
FG_UID=$(uid configmap fg)
expect_ok "a blocking dependent of fg (held too)" owned ConfigMap fg-child "[$(ref v1 ConfigMap fg "$FG_UID")]" "[$HOLD]"
expect_ok "kubectl delete --cascade=foreground" k -n "$GC" delete configmap fg --cascade=foreground --wait=false
wait_for "the garbage collector deletes the blocking dependent" "true" \
    -n "$GC" get configmap fg-child -o 'go-template={{if .metadata.deletionTimestamp}}true{{end}}'
run k -n "$GC" get configmap fg -o 'jsonpath={.metadata.finalizers}'
expect_eq "the owner waits with its foregroundDeletion finalizer" "[\"$HOLD\",\"foregroundDeletion\"]" "$OUT"
expect_ok "release the dependent" k -n "$GC" patch configmap fg-child --type json -p '[{"op":"remove","path":"/metadata/finalizers"}]'
wait_for "once it is gone the owner's foregroundDeletion finalizer is removed" "[\"$HOLD\"]" \
    -n "$GC" get configmap fg -o 'jsonpath={.metadata.finalizers}'
expect_ok "release the owner" k -n "$GC" patch configmap fg --type json -p '[{"op":"remove","path":"/metadata/finalizers"}]'
wait_for "and it goes" "" -n "$GC" get configmap fg --ignore-not-found -o name

expect_ok "create owner tree" k -n "$GC" create configmap tree
TREE_UID=$(uid configmap tree)
expect_ok "a dependent of tree" owned ConfigMap tree-child "[$(ref v1 ConfigMap tree "$TREE_UID")]"
expect_ok "kubectl delete --cascade=foreground waits until the tree is gone" \
    k -n "$GC" delete configmap tree --cascade=foreground --timeout=30s
expect_fail "the dependent went first" "NotFound" k -n "$GC" get configmap tree-child

# Orphan: the dependents lose their references and stay.
expect_ok "create owner orphan (held)" owned ConfigMap orphan "[]" "[$HOLD]"
ORPHAN_UID=$(uid configmap orphan)
expect_ok "a dependent of orphan" owned ConfigMap orphan-child "[$(ref v1 ConfigMap orphan "$ORPHAN_UID")]"
expect_ok "kubectl delete --cascade=orphan" k -n "$GC" delete configmap orphan --cascade=orphan --wait=false
wait_for "the orphan finalizer is removed once the dependents are orphaned" "[\"$HOLD\"]" \
    -n "$GC" get configmap orphan -o 'jsonpath={.metadata.finalizers}'
run k -n "$GC" get configmap orphan-child -o 'jsonpath={.metadata.ownerReferences}'
expect_eq "the dependent has no owner reference left" "" "$OUT"
expect_ok "release the owner" k -n "$GC" patch configmap orphan --type json -p '[{"op":"remove","path":"/metadata/finalizers"}]'
wait_for "the owner goes" "" -n "$GC" get configmap orphan --ignore-not-found -o name
sleep 1
expect_ok "the orphaned dependent stays" k -n "$GC" get configmap orphan-child

# ---------------------------------------------------------------------------------------------------------------
e2e_log "namespace deletion"

expect_ok "delete namespace team" k delete namespace team --wait=false
wait_for "the namespace and everything in it go away" "" get namespace team --ignore-not-found -o name

stop_server
finish "kubectl controllers e2e"
