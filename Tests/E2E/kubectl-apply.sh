#!/usr/bin/env bash
# End-to-end: kubectl's write paths against a real `skiff server`: client-side and server-side apply (and their
# convergence), diff, edit, the three patch types, replace, scale, set image/env, delete with each cascade policy
# and server-side dry runs (issue #4 §3, §6).
#
#   Tests/E2E/kubectl-apply.sh [path/to/skiff]        (or SKIFF=path/to/skiff)
#
# Starts the server in a temporary data dir on a free 127.0.0.1 port and stops it on exit. Every mismatch prints
# expected vs actual; the script runs all checks and exits non-zero if any failed. E2E_KEEP=1 keeps the temporary
# dir.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

e2e_kubectl_setup kubectl-apply "$@"


start_server "$WORK/server.log"

NS=apply-e2e
MANIFEST=$WORK/manifest.yaml
# rv KIND NAME: the object's resourceVersion.
rv() { timeout 60 kubectl --cache-dir "$CACHE" -n "$NS" get "$1" "$2" -o 'jsonpath={.metadata.resourceVersion}'; }
# managers KIND NAME: "manager/operation" of each managedFields entry, one per line.
managers() {
    timeout 60 kubectl --cache-dir "$CACHE" -n "$NS" get "$1" "$2" -o json --show-managed-fields |
        python3 -c 'import json,sys; [print(e["manager"] + "/" + e["operation"]) for e in json.load(sys.stdin)["metadata"].get("managedFields", [])]'
}

write_manifest() {
    local replicas=$1 data_b=$2 extra_label=$3
    cat >"$MANIFEST" <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $NS
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: $NS
data:
  a: "1"
$data_b
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: $NS
type: Opaque
data:
  password: cGFzc3dvcmQ=
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: $NS
  labels:
    app: web
$extra_label
spec:
  replicas: $replicas
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: $NS
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: $NS
spec:
  rules:
  - host: web.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
YAML
}

# ---------------------------------------------------------------------------------------------------------------
e2e_log "client-side apply of a multi-document manifest"

write_manifest 2 '  b: "2"' '    tier: frontend'
expect_ok "kubectl apply -f (create)" k apply -f "$MANIFEST"
for line in "namespace/$NS created" "configmap/settings created" "secret/creds created" "deployment.apps/web created" \
    "service/web created" "ingress.networking.k8s.io/web created"; do
    expect_line "apply prints: $line" "$line"
done
expect_ok "created objects carry the kubectl-client-side-apply manager" managers deployment web
expect_eq "deployment managers after client-side apply" "kubectl-client-side-apply/Update" "$OUT"
expect_ok "deployment has the last-applied annotation" \
    k -n "$NS" get deployment web -o 'jsonpath={.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}'
expect_contains "last-applied holds the manifest" '"replicas":2'

RV_CM=$(rv configmap settings)
RV_DEPLOY=$(rv deployment web)
RV_SVC=$(rv service web)
expect_ok "kubectl apply -f (again)" k apply -f "$MANIFEST"
for line in "namespace/$NS unchanged" "configmap/settings unchanged" "secret/creds unchanged" \
    "deployment.apps/web unchanged" "service/web unchanged" "ingress.networking.k8s.io/web unchanged"; do
    expect_line "re-apply prints: $line" "$line"
done
expect_eq "re-apply keeps the configmap's resourceVersion" "$RV_CM" "$(rv configmap settings)"
expect_eq "re-apply keeps the deployment's resourceVersion" "$RV_DEPLOY" "$(rv deployment web)"
expect_eq "re-apply keeps the service's resourceVersion" "$RV_SVC" "$(rv service web)"

expect_ok "kubectl diff of the applied manifest" k diff -f "$MANIFEST"
expect_eq "kubectl diff exits 0 without changes" "0" "$RC"

e2e_log "edit the manifest: change replicas, drop a data key and a label"
write_manifest 3 '' ''
run k diff -f "$MANIFEST"
expect_eq "kubectl diff exits 1 with changes" "1" "$RC"
expect_contains "kubectl diff shows the replicas change" "+  replicas: 3"
expect_ok "kubectl apply -f (changed)" k apply -f "$MANIFEST"
expect_line "changed configmap is configured" "configmap/settings configured"
expect_line "changed deployment is configured" "deployment.apps/web configured"
expect_line "unchanged service stays unchanged" "service/web unchanged"
expect_ok "configmap after the change" k -n "$NS" get configmap settings -o json
expect_json "removed data key is gone" 'sorted(d["data"].keys())' '["a"]'
expect_ok "deployment after the change" k -n "$NS" get deployment web -o json
expect_json "replicas applied" 'd["spec"]["replicas"]' "3"
expect_json "removed label is gone" 'sorted(d["metadata"]["labels"].keys())' '["app"]'
expect_eq "unchanged service keeps its resourceVersion" "$RV_SVC" "$(rv service web)"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "server-side apply, conflicts, convergence with client-side apply"

cat >"$WORK/ssa.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa
  namespace: $NS
  labels:
    owner: ssa
data:
  first: "1"
  second: "2"
YAML
expect_ok "kubectl apply --server-side (create)" k apply --server-side -f "$WORK/ssa.yaml"
expect_line "server-side apply prints serverside-applied" "configmap/ssa serverside-applied"
expect_ok "managers after server-side apply" managers configmap ssa
expect_eq "server-side apply records an Apply entry for kubectl" "kubectl/Apply" "$OUT"
RV_SSA=$(rv configmap ssa)
expect_ok "kubectl apply --server-side (again)" k apply --server-side -f "$WORK/ssa.yaml"
expect_eq "server-side re-apply keeps the resourceVersion" "$RV_SSA" "$(rv configmap ssa)"
expect_ok "kubectl diff --server-side without changes" k diff --server-side -f "$WORK/ssa.yaml"

sed 's/first: "1"/first: "changed"/' "$WORK/ssa.yaml" | sed '/second: "2"/d' >"$WORK/ssa-other.yaml"
expect_fail "another manager changing an owned field conflicts" 'conflict with "kubectl"' \
    k apply --server-side --field-manager=other -f "$WORK/ssa-other.yaml"
expect_contains "the conflict names the field" ".data.first"
expect_ok "--force-conflicts takes the field" \
    k apply --server-side --field-manager=other --force-conflicts -f "$WORK/ssa-other.yaml"
expect_ok "configmap after the forced apply" k -n "$NS" get configmap ssa -o json --show-managed-fields
expect_json "forced value applied" 'd["data"]["first"]' "changed"
expect_json "kubectl no longer owns data.first" \
    '[e for e in d["metadata"]["managedFields"] if e["manager"]=="kubectl"][0]["fieldsV1"]["f:data"].get("f:first")' "null"
expect_json "other owns data.first" \
    '"f:first" in [e for e in d["metadata"]["managedFields"] if e["manager"]=="other"][0]["fieldsV1"]["f:data"]' "true"

# Removing a field from the server-side manifest removes it (kubectl owns data.second alone).
sed '/second: "2"/d' "$WORK/ssa.yaml" | sed 's/first: "1"/first: "changed"/' >"$WORK/ssa-fewer.yaml"
expect_ok "server-side apply without data.second" k apply --server-side -f "$WORK/ssa-fewer.yaml"
expect_ok "configmap after dropping second" k -n "$NS" get configmap ssa -o json
expect_json "server-side apply removed the dropped field" 'sorted(d["data"].keys())' '["first"]'

# Server-side apply of the client-side-applied deployment: same values, no conflicts; ownership moves to kubectl.
expect_ok "kubectl apply --server-side over client-side apply" k apply --server-side -f "$MANIFEST"
expect_line "deployment is server-side applied" "deployment.apps/web serverside-applied"
expect_ok "deployment managers after the upgrade" managers deployment web
expect_contains "kubectl owns the deployment after the upgrade" "kubectl/Apply"
expect_not_contains "client-side apply ownership was migrated" "kubectl-client-side-apply/Update"
RV_DEPLOY=$(rv deployment web)
expect_ok "server-side re-apply of the manifest" k apply --server-side -f "$MANIFEST"
expect_eq "server-side re-apply keeps the deployment's resourceVersion" "$RV_DEPLOY" "$(rv deployment web)"
# Client-side apply after server-side apply: kubectl re-sends its annotation (reported as configured), the values
# stay the same.
expect_ok "client-side apply after server-side apply" k apply -f "$MANIFEST"
expect_ok "replicas after client-side apply over server-side apply" \
    k -n "$NS" get deployment web -o 'jsonpath={.spec.replicas}'
expect_eq "client-side apply keeps the server-side values" "3" "$OUT"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "edit, patch, replace, scale, set"

cat >"$WORK/editor.sh" <<'SH'
#!/bin/sh
sed -i 's/^  a: "1"$/  a: "edited"/' "$1"
SH
chmod +x "$WORK/editor.sh"
expect_ok "kubectl edit with an EDITOR script" env EDITOR="$WORK/editor.sh" KUBE_EDITOR="$WORK/editor.sh" \
    timeout 60 kubectl --cache-dir "$CACHE" -n "$NS" edit configmap settings
expect_line "edit reports the change" "configmap/settings edited"
expect_ok "configmap after edit" k -n "$NS" get configmap settings -o 'jsonpath={.data.a}'
expect_eq "edited value stored" "edited" "$OUT"
expect_ok "managers after edit" managers configmap settings
expect_contains "kubectl-edit owns what it changed" "kubectl-edit/Update"

expect_ok "kubectl patch --type json" k -n "$NS" patch configmap settings --type json \
    -p '[{"op":"add","path":"/data/j","value":"json"}]'
expect_ok "kubectl patch --type merge" k -n "$NS" patch configmap settings --type merge -p '{"data":{"m":"merge"}}'
expect_ok "kubectl patch --type strategic" k -n "$NS" patch deployment web --type strategic \
    -p '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}}}'
expect_ok "configmap after patches" k -n "$NS" get configmap settings -o json --show-managed-fields
expect_json "json patch applied" 'd["data"]["j"]' "json"
expect_json "merge patch applied" 'd["data"]["m"]' "merge"
expect_json "kubectl-patch owns its fields" \
    'sorted([e for e in d["metadata"]["managedFields"] if e["manager"]=="kubectl-patch"][0]["fieldsV1"]["f:data"].keys())' \
    '["f:j", "f:m"]'
expect_ok "deployment image after strategic patch" \
    k -n "$NS" get deployment web -o 'jsonpath={.spec.template.spec.containers[0].image}'
expect_eq "strategic merge patch changed the image" "nginx:1.26" "$OUT"
RV_DEPLOY=$(rv deployment web)
expect_ok "the same strategic patch again" k -n "$NS" patch deployment web --type strategic \
    -p '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}}}'
expect_contains "kubectl reports no change" "(no change)"
expect_eq "a no-op patch keeps the resourceVersion" "$RV_DEPLOY" "$(rv deployment web)"

expect_ok "get for replace" k -n "$NS" get configmap settings -o yaml
printf '%s\n' "$OUT" | sed 's/^  m: merge$/  m: replaced/' >"$WORK/replace.yaml"
expect_ok "kubectl replace" k replace -f "$WORK/replace.yaml"
expect_line "replace output" "configmap/settings replaced"
expect_ok "configmap after replace" k -n "$NS" get configmap settings -o 'jsonpath={.data.m}'
expect_eq "replaced value stored" "replaced" "$OUT"

expect_ok "kubectl scale" k -n "$NS" scale deployment web --replicas=5
expect_line "scale output" "deployment.apps/web scaled"
expect_ok "replicas after scale" k -n "$NS" get deployment web -o 'jsonpath={.spec.replicas}'
expect_eq "scaled replicas" "5" "$OUT"
expect_ok "kubectl set image" k -n "$NS" set image deployment/web web=nginx:1.27
expect_line "set image output" "deployment.apps/web image updated"
expect_ok "kubectl set env" k -n "$NS" set env deployment/web GREETING=hello
expect_line "set env output" "deployment.apps/web env updated"
expect_ok "deployment after set" k -n "$NS" get deployment web -o json
expect_json "set image stored" 'd["spec"]["template"]["spec"]["containers"][0]["image"]' "nginx:1.27"
expect_json "set env stored" 'd["spec"]["template"]["spec"]["containers"][0]["env"]' '[{"name": "GREETING", "value": "hello"}]'

# ---------------------------------------------------------------------------------------------------------------
e2e_log "server-side dry runs"

RV_CM=$(rv configmap settings)
expect_ok "kubectl create --dry-run=server" k -n "$NS" create configmap dry --from-literal=a=b --dry-run=server
expect_line "dry-run create output" "configmap/dry created (server dry run)"
expect_fail "the dry-run object was not stored" "NotFound" k -n "$NS" get configmap dry
expect_ok "kubectl patch --dry-run=server" k -n "$NS" patch configmap settings --type merge \
    -p '{"data":{"a":"dry"}}' --dry-run=server -o 'jsonpath={.data.a}'
expect_eq "the dry-run patch shows the would-be object" "dry" "$OUT"
expect_ok "kubectl apply --server-side --dry-run=server" k apply --server-side --dry-run=server -f "$WORK/ssa-other.yaml" \
    --field-manager=other
expect_ok "configmap after dry runs" k -n "$NS" get configmap settings -o 'jsonpath={.data.a}'
expect_eq "dry runs changed nothing" "edited" "$OUT"
expect_eq "dry runs kept the resourceVersion" "$RV_CM" "$(rv configmap settings)"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "delete with each cascade policy"

expect_ok "create configmap bg" k -n "$NS" create configmap bg --from-literal=k=v
expect_ok "kubectl delete --cascade=background" k -n "$NS" delete configmap bg --cascade=background
expect_line "background delete output" "configmap \"bg\" deleted"
expect_fail "background delete removed the object" "NotFound" k -n "$NS" get configmap bg
# Foreground and orphan record a finalizer that the garbage collector removes once the dependents are dealt with
# (kubectl-controllers.sh follows the dependents). A finalizer of our own holds each object so its deletion can
# be seen.
HOLD=e2e.skiff.dev/hold
for name in fg orphan; do
    expect_ok "create configmap $name (held by a finalizer)" k -n "$NS" apply -f - <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: $name, finalizers: [$HOLD]}
YAML
done
expect_ok "kubectl delete --cascade=foreground" k -n "$NS" delete configmap fg --cascade=foreground --wait=false
expect_line "foreground delete output" "configmap \"fg\" deleted"
expect_ok "foreground-deleted object" k -n "$NS" get configmap fg -o json
expect_json "foreground delete sets deletionTimestamp" '"deletionTimestamp" in d["metadata"]' "true"
expect_ok "kubectl delete --cascade=orphan" k -n "$NS" delete configmap orphan --cascade=orphan --wait=false
expect_ok "orphan-deleted object" k -n "$NS" get configmap orphan -o json
expect_json "orphan delete sets deletionTimestamp" '"deletionTimestamp" in d["metadata"]' "true"
for name in fg orphan; do
    wait_for "the garbage collector removes the finalizer the $name delete recorded" "[\"$HOLD\"]" \
        -n "$NS" get configmap "$name" -o 'jsonpath={.metadata.finalizers}'
    expect_ok "removing the last finalizer of $name" k -n "$NS" patch configmap "$name" --type json \
        -p '[{"op":"remove","path":"/metadata/finalizers"}]'
    expect_fail "$name is gone once its finalizer is removed" "NotFound" k -n "$NS" get configmap "$name"
done

# The manifest's Namespace is deleted first, and the namespace controller may empty it before kubectl reaches the
# objects in it: those are then already gone, as on upstream.
expect_ok "kubectl delete -f the manifest" k delete -f "$MANIFEST" --timeout=60s --ignore-not-found
wait_for "delete -f removes the deployment" "" -n "$NS" get deployment web --ignore-not-found -o name

stop_server
finish "kubectl apply e2e"
