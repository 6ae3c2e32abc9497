#!/usr/bin/env bash
# End-to-end: the real kubectl (and curl) against a real `skiff server` over HTTPS with client certificates.
#
#   Tests/E2E/kubectl.sh [path/to/skiff]        (or SKIFF=path/to/skiff)
#
# Starts the server in a temporary data dir on a free 127.0.0.1 port, drives kubectl with a fresh --cache-dir,
# restarts the server on the same data dir, and stops it on exit. Every mismatch prints expected vs actual; the
# script runs all checks and exits non-zero if any failed. E2E_KEEP=1 keeps the temporary dir.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

e2e_kubectl_setup kubectl "$@"

start_server "$WORK/server.log"
BASE=https://127.0.0.1:$PORT

# ---------------------------------------------------------------------------------------------------------------
e2e_log "unauthenticated endpoints, authentication, metrics"

for path in /healthz /livez /readyz; do
    run curl_anon -o "$WORK/body" -w '%{http_code}' "$BASE$path"
    expect_eq "GET $path without credentials answers 200" "200" "$OUT"
    expect_eq "GET $path body is ok" "ok" "$(cat "$WORK/body" 2>/dev/null)"
done

run curl_anon -o "$WORK/body" -w '%{http_code}' "$BASE/version"
expect_eq "GET /version without credentials answers 200" "200" "$OUT"
OUT=$(cat "$WORK/body")
expect_json "/version major" 'd["major"]' "1"
expect_json "/version minor (kubectl dispatcher picks kubectl 1.32)" 'd["minor"]' "32"
expect_json "/version gitVersion starts with v1.32." 'd["gitVersion"].startswith("v1.32.")' "true"

run curl_anon "$BASE/readyz?verbose"
expect_contains "/readyz?verbose lists checks" "[+]ping ok"
expect_contains "/readyz?verbose ends with the summary" "readyz check passed"
run curl_anon "$BASE/livez?verbose"
expect_contains "/livez?verbose ends with the summary" "livez check passed"

run curl_anon -D "$WORK/headers" -o "$WORK/body" -w '%{http_code}' "$BASE/api/v1/namespaces"
expect_eq "GET /api/v1/namespaces without a client certificate answers 401" "401" "$OUT"
OUT=$(cat "$WORK/body")
expect_json "401 body is a Status" 'd["kind"]' "Status"
expect_json "401 Status.reason" 'd["reason"]' "Unauthorized"
expect_json "401 Status.code" 'd["code"]' "401"
expect_json "401 Status.status" 'd["status"]' "Failure"
expect_contains "401 Content-Type is JSON" "application/json" "$(grep -i '^content-type:' "$WORK/headers")"

run curl_anon -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer not-a-token' "$BASE/api/v1/namespaces"
expect_eq "GET /api/v1/namespaces with a bogus bearer token answers 401" "401" "$OUT"

for proto in --http1.1 --http2; do
    run curl_admin "$proto" -o /dev/null -w '%{http_code} %{http_version}' "$BASE/api/v1/namespaces/default"
    expect_eq "admin certificate accepted over curl $proto" "200 ${proto#--http}" "$OUT"
done
run curl_admin -o "$WORK/body" -w '%{http_code}' "$BASE/api/v1/namespaces"
expect_eq "GET /api/v1/namespaces with the admin certificate answers 200" "200" "$OUT"
OUT=$(cat "$WORK/body")
expect_json "namespace list kind" 'd["kind"]' "NamespaceList"
expect_json "namespace list has the four system namespaces" \
    'sorted(i["metadata"]["name"] for i in d["items"] if i["metadata"]["name"].startswith("kube-") or i["metadata"]["name"] == "default")' \
    '["default", "kube-node-lease", "kube-public", "kube-system"]'
expect_json "namespace list resourceVersion is a decimal string" 'd["metadata"]["resourceVersion"].isdigit()' "true"

run curl_admin "$BASE/metrics"
expect_contains "/metrics exposes apiserver_request_total" "apiserver_request_total"
expect_eq "/metrics counts the namespace LIST above (verb=LIST, resource=namespaces, code=200)" "1" \
    "$(printf '%s\n' "$OUT" | grep -E '^apiserver_request_total\{.*\} [1-9][0-9]*$' | grep 'verb="LIST"' |
        grep 'resource="namespaces"' | grep -c 'code="200"')"

run curl_admin -o "$WORK/body" -w '%{http_code}' "$BASE/api/v1/namespaces/default/configmaps/does-not-exist"
expect_eq "GET a missing configmap answers 404" "404" "$OUT"
OUT=$(cat "$WORK/body")
expect_json "404 Status.reason" 'd["reason"]' "NotFound"
expect_json "404 Status.message" 'd["message"]' 'configmaps "does-not-exist" not found'
expect_json "404 Status.details" 'd["details"]' '{"name": "does-not-exist", "kind": "configmaps"}'

# ---------------------------------------------------------------------------------------------------------------
e2e_log "discovery, explain, raw"

expect_ok "kubectl version" k version
expect_contains "kubectl version shows the server version" "Server Version: v1.32."

expect_ok "kubectl api-versions" k api-versions
for gv in v1 apps/v1 batch/v1 rbac.authorization.k8s.io/v1; do
    expect_line "api-versions lists $gv" "$gv"
done

expect_ok "kubectl api-resources" k api-resources
expect_first_line "api-resources header" "NAME SHORTNAMES APIVERSION NAMESPACED KIND"
expect_line "api-resources: pods" "pods po v1 true Pod"
expect_line "api-resources: namespaces" "namespaces ns v1 false Namespace"
expect_line "api-resources: configmaps" "configmaps cm v1 true ConfigMap"
expect_line "api-resources: deployments" "deployments deploy apps/v1 true Deployment"
expect_line "api-resources: services" "services svc v1 true Service"
expect_ok "kubectl api-resources --namespaced=false -o name" k api-resources --namespaced=false -o name
expect_line "cluster-scoped resources include namespaces" "namespaces"
expect_not_contains "cluster-scoped resources exclude pods" $'\npods\n'

expect_ok "kubectl explain pod.spec.containers" k explain pod.spec.containers
expect_line "explain: KIND" "KIND: Pod"
expect_line "explain: VERSION" "VERSION: v1"
expect_line "explain: FIELD" "FIELD: containers <[]Container>"
expect_line "explain: lists the image field" "^ ?image <string>"
expect_line "explain: lists the name field as required" "^ ?name <string> -required-"

expect_ok "kubectl get --raw /api/v1" k get --raw /api/v1
expect_json "raw /api/v1 kind" 'd["kind"]' "APIResourceList"
expect_json "raw /api/v1 groupVersion" 'd["groupVersion"]' "v1"
expect_json "raw /api/v1 has pods, pods/log and pods/status" \
    'sorted(r["name"] for r in d["resources"] if r["name"] in ("pods", "pods/log", "pods/status"))' \
    '["pods", "pods/log", "pods/status"]'
expect_ok "kubectl get --raw /apis/apps/v1" k get --raw /apis/apps/v1
expect_json "raw /apis/apps/v1 deployments/scale is autoscaling/v1 Scale" \
    '[(r.get("group"), r.get("version"), r["kind"]) for r in d["resources"] if r["name"] == "deployments/scale"]' \
    '[["autoscaling", "v1", "Scale"]]'

# ---------------------------------------------------------------------------------------------------------------
e2e_log "get: every output format (namespaces)"

expect_ok "kubectl get namespaces" k get namespaces
expect_first_line "namespaces table header" "NAME STATUS AGE"
expect_line "namespaces table: default is Active" "^default Active [0-9]+[smhd]"
expect_line "namespaces table: kube-system is Active" "^kube-system Active [0-9]+[smhd]"

expect_ok "kubectl get namespaces -o wide" k get namespaces -o wide
expect_first_line "namespaces wide header" "NAME STATUS AGE"

expect_ok "kubectl get namespace default -o json" k get namespace default -o json
expect_json "json: kind" 'd["kind"]' "Namespace"
expect_json "json: apiVersion" 'd["apiVersion"]' "v1"
expect_json "json: name" 'd["metadata"]["name"]' "default"
expect_json "json: phase" 'd["status"]["phase"]' "Active"
expect_json "json: label kubernetes.io/metadata.name" 'd["metadata"].get("labels", {}).get("kubernetes.io/metadata.name")' \
    "default"
expect_json "json: uid set" 'len(d["metadata"]["uid"]) > 0' "true"
expect_json "json: creationTimestamp RFC3339 Z" 'd["metadata"]["creationTimestamp"].endswith("Z")' "true"

expect_ok "kubectl get namespaces -o json" k get namespaces -o json
expect_json "json list: kind List" 'd["kind"]' "List"
expect_json "json list: items are Namespaces" 'sorted(set(i["kind"] for i in d["items"]))' '["Namespace"]'

expect_ok "kubectl get namespace default -o yaml" k get namespace default -o yaml
expect_line "yaml: apiVersion" "apiVersion: v1"
expect_line "yaml: kind" "kind: Namespace"
expect_line "yaml: name" " name: default"
expect_line "yaml: phase" " phase: Active"

expect_ok "kubectl get namespaces -o jsonpath" k get namespaces -o 'jsonpath={.items[*].metadata.name}'
for ns in default kube-system kube-public kube-node-lease; do
    expect_contains "jsonpath lists $ns" "$ns"
done
expect_ok "kubectl get namespace default -o jsonpath phase" k get namespace default -o 'jsonpath={.status.phase}'
expect_eq "jsonpath: phase of default" "Active" "$OUT"

expect_ok "kubectl get namespaces -o custom-columns" k get namespaces \
    -o 'custom-columns=NAME:.metadata.name,PHASE:.status.phase'
expect_first_line "custom-columns header" "NAME PHASE"
expect_line "custom-columns row" "default Active"

expect_ok "kubectl get namespaces -o name" k get namespaces -o name
expect_line "-o name: namespace/default" "namespace/default"
expect_line "-o name: namespace/kube-system" "namespace/kube-system"

expect_fail "get a missing namespace fails with NotFound" \
    'Error from server (NotFound): namespaces "nope" not found' k get namespace nope

# ---------------------------------------------------------------------------------------------------------------
e2e_log "create <generator> (protobuf request bodies)"

NS=e2e-gen
expect_ok "kubectl create namespace" k create namespace "$NS"
expect_eq "create namespace output" "namespace/$NS created" "$OUT"
expect_ok "kubectl create configmap" k -n "$NS" create configmap cm-gen --from-literal=a=1 --from-literal=b=two
expect_eq "create configmap output" "configmap/cm-gen created" "$OUT"
expect_ok "kubectl create secret generic" k -n "$NS" create secret generic s-gen --from-literal=user=admin
expect_eq "create secret output" "secret/s-gen created" "$OUT"
expect_ok "kubectl create deployment" k -n "$NS" create deployment dep-gen --image=nginx:1.27 --replicas=2
expect_eq "create deployment output" "deployment.apps/dep-gen created" "$OUT"
expect_ok "kubectl create service clusterip" k -n "$NS" create service clusterip svc-gen --tcp=80:8080
expect_eq "create service output" "service/svc-gen created" "$OUT"
expect_ok "kubectl create serviceaccount" k -n "$NS" create serviceaccount sa-gen
expect_eq "create serviceaccount output" "serviceaccount/sa-gen created" "$OUT"

expect_ok "get created namespace" k get namespace "$NS" -o json
expect_json "created namespace is Active" 'd["status"]["phase"]' "Active"
expect_ok "get created configmap" k -n "$NS" get configmap cm-gen -o json
expect_json "configmap data from protobuf" 'd["data"]' '{"a": "1", "b": "two"}'
expect_ok "get created secret" k -n "$NS" get secret s-gen -o json
expect_json "secret data from protobuf (base64)" 'd["data"]' '{"user": "YWRtaW4="}'
expect_json "secret type defaulted to Opaque" 'd["type"]' "Opaque"
expect_ok "get created deployment" k -n "$NS" get deployment dep-gen -o json
expect_json "deployment replicas" 'd["spec"]["replicas"]' "2"
expect_json "deployment selector" 'd["spec"]["selector"]["matchLabels"]' '{"app": "dep-gen"}'
expect_json "deployment container" '[(c["name"], c["image"]) for c in d["spec"]["template"]["spec"]["containers"]]' \
    '[["nginx", "nginx:1.27"]]'
expect_json "deployment generation" 'd["metadata"]["generation"]' "1"
expect_ok "get created service" k -n "$NS" get service svc-gen -o json
expect_json "service ports" '[(p["port"], p["targetPort"], p["protocol"]) for p in d["spec"]["ports"]]' \
    '[[80, 8080, "TCP"]]'
expect_json "service type" 'd["spec"]["type"]' "ClusterIP"
expect_json "service has a clusterIP" 'bool(d["spec"].get("clusterIP"))' "true"
expect_ok "get created serviceaccount" k -n "$NS" get serviceaccount sa-gen -o json
expect_json "serviceaccount kind" 'd["kind"]' "ServiceAccount"

expect_fail "create an existing configmap fails with AlreadyExists" \
    'error: failed to create configmap: configmaps "cm-gen" already exists' \
    k -n "$NS" create configmap cm-gen --from-literal=a=1

# Tables of other kinds.
expect_ok "get configmaps table" k -n "$NS" get configmaps
expect_first_line "configmaps header" "NAME DATA AGE"
expect_line "configmaps row" "^cm-gen 2 [0-9]+[smhd]"
expect_ok "get secrets table" k -n "$NS" get secrets
expect_first_line "secrets header" "NAME TYPE DATA AGE"
expect_line "secrets row" "^s-gen Opaque 1 [0-9]+[smhd]"
expect_ok "get deployments table" k -n "$NS" get deployments
expect_first_line "deployments header" "NAME READY UP-TO-DATE AVAILABLE AGE"
expect_line "deployments row" "^dep-gen 0/2 0 0 [0-9]+[smhd]"
expect_ok "get deployments -o wide" k -n "$NS" get deployments -o wide
expect_first_line "deployments wide header" "NAME READY UP-TO-DATE AVAILABLE AGE CONTAINERS IMAGES SELECTOR"
expect_line "deployments wide row" "^dep-gen 0/2 0 0 [0-9]+[smhd] nginx nginx:1.27 app=dep-gen"
expect_ok "get services table" k -n "$NS" get services
expect_first_line "services header" "NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE"
expect_line "services row" "^svc-gen ClusterIP [0-9.]+ <none> 80/TCP [0-9]+[smhd]"
expect_ok "get serviceaccounts table" k -n "$NS" get serviceaccounts
expect_first_line "serviceaccounts header" "NAME SECRETS AGE"
expect_line "serviceaccounts row" "^sa-gen 0 [0-9]+[smhd]"
expect_ok "get configmaps --show-labels" k -n "$NS" get configmaps --show-labels
expect_first_line "--show-labels header" "NAME DATA AGE LABELS"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "create -f / apply -f / replace -f"

APP=e2e-app
cat >"$WORK/app.yaml" <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $APP
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: $APP
  labels: {app: web, tier: config}
data:
  color: blue
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: $APP
  labels: {app: web}
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: $APP
  labels: {app: web}
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
---
apiVersion: v1
kind: Pod
metadata:
  name: web-pod
  namespace: $APP
  labels: {app: web}
spec:
  containers:
  - name: web
    image: nginx:1.27
EOF
expect_ok "kubectl create -f manifest" k create -f "$WORK/app.yaml"
expect_line "create -f: namespace" "namespace/$APP created"
expect_line "create -f: configmap" "configmap/settings created"
expect_line "create -f: deployment" "deployment.apps/web created"
expect_line "create -f: service" "service/web created"
expect_line "create -f: pod" "pod/web-pod created"

expect_ok "get pods table" k -n "$APP" get pods
expect_first_line "pods header" "NAME READY STATUS RESTARTS AGE"
expect_line "pods row (no node yet: Pending)" "^web-pod 0/1 Pending 0 [0-9]+[smhd]"
expect_ok "get pods -o wide" k -n "$APP" get pods -o wide
expect_first_line "pods wide header" "NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES"
expect_line "pods wide row" "^web-pod 0/1 Pending 0 [0-9]+[smhd] <none> <none> <none> <none>"
expect_ok "get pod -o json" k -n "$APP" get pod web-pod -o json
expect_json "pod status.phase set at creation" 'd["status"]["phase"]' "Pending"
expect_ok "get pods -A" k get pods -A
expect_first_line "pods -A header" "NAMESPACE NAME READY STATUS RESTARTS AGE"
expect_line "pods -A row" "^$APP web-pod 0/1 Pending 0 [0-9]+[smhd]"

expect_ok "kubectl get all" k -n "$APP" get all
expect_contains "get all: pod" "pod/web-pod"
expect_contains "get all: service" "service/web"
expect_contains "get all: deployment" "deployment.apps/web"
expect_ok "kubectl get all -o name" k -n "$APP" get all -o name
expect_line "get all -o name: pod" "pod/web-pod"
expect_line "get all -o name: service" "service/web"
expect_line "get all -o name: deployment" "deployment.apps/web"

cat >"$WORK/applied.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: applied
  namespace: $APP
  labels: {app: applied}
data:
  key: one
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: applied
  namespace: $APP
  labels: {app: applied}
spec:
  replicas: 2
  selector:
    matchLabels: {app: applied}
  template:
    metadata:
      labels: {app: applied}
    spec:
      containers:
      - name: main
        image: busybox:1.36
        command: ["sleep", "3600"]
        env:
        - {name: A, value: "1"}
EOF
expect_ok "kubectl apply -f (first run)" k apply -f "$WORK/applied.yaml"
expect_line "apply 1st: configmap created" "configmap/applied created"
expect_line "apply 1st: deployment created" "deployment.apps/applied created"
expect_ok "kubectl apply -f (second run)" k apply -f "$WORK/applied.yaml"
expect_line "apply 2nd: configmap unchanged" "configmap/applied unchanged"
expect_line "apply 2nd: deployment unchanged" "deployment.apps/applied unchanged"
expect_ok "get applied configmap" k -n "$APP" get configmap applied -o json
expect_json "apply stores last-applied-configuration" \
    '"kubectl.kubernetes.io/last-applied-configuration" in d["metadata"].get("annotations", {})' "true"

sed -e 's/key: one/key: two/' -e 's/replicas: 2/replicas: 4/' -e 's/value: "1"/value: "2"/' "$WORK/applied.yaml" \
    >"$WORK/applied2.yaml"
expect_ok "kubectl apply -f (changed manifest)" k apply -f "$WORK/applied2.yaml"
expect_line "apply 3rd: configmap configured" "configmap/applied configured"
expect_line "apply 3rd: deployment configured" "deployment.apps/applied configured"
expect_ok "get applied configmap after change" k -n "$APP" get configmap applied -o 'jsonpath={.data.key}'
expect_eq "apply changed configmap data" "two" "$OUT"
expect_ok "get applied deployment after change" k -n "$APP" get deployment applied -o json
expect_json "apply changed replicas" 'd["spec"]["replicas"]' "4"
expect_json "apply changed env (strategic merge by name)" \
    'd["spec"]["template"]["spec"]["containers"][0]["env"]' '[{"name": "A", "value": "2"}]'
expect_json "apply bumped generation" 'd["metadata"]["generation"]' "2"

cat >"$WORK/replace.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: $APP
  labels: {app: web, tier: config}
data:
  color: red
  size: large
EOF
expect_ok "kubectl replace -f" k replace -f "$WORK/replace.yaml"
expect_eq "replace output" "configmap/settings replaced" "$OUT"
expect_ok "get replaced configmap" k -n "$APP" get configmap settings -o json
expect_json "replace wrote the new data" 'd["data"]' '{"color": "red", "size": "large"}'
expect_fail "create -f of existing objects fails with AlreadyExists" \
    'Error from server (AlreadyExists): error when creating' k create -f "$WORK/replace.yaml"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "describe"

expect_ok "kubectl describe namespace" k describe namespace "$APP"
expect_line "describe ns: Name" "Name: $APP"
expect_line "describe ns: Status" "Status: Active"
expect_ok "kubectl describe configmap" k -n "$APP" describe configmap settings
expect_line "describe cm: Name" "Name: settings"
expect_line "describe cm: Namespace" "Namespace: $APP"
expect_line "describe cm: Labels" "^Labels: app=web"
expect_line "describe cm: data key" "color:"
expect_line "describe cm: data value" "red"
expect_ok "kubectl describe deployment" k -n "$APP" describe deployment web
expect_line "describe deploy: Name" "Name: web"
expect_line "describe deploy: Namespace" "Namespace: $APP"
expect_line "describe deploy: Selector" "Selector: app=web"
expect_line "describe deploy: Replicas" "^Replicas: 1 desired \\| 0 updated \\| 0 total \\| 0 available \\| 0 unavailable"
expect_line "describe deploy: StrategyType" "StrategyType: RollingUpdate"
expect_line "describe deploy: Pod Template" "Pod Template:"
expect_line "describe deploy: Image" " Image: nginx:1.27"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "label, annotate, patch, scale"

expect_ok "kubectl label" k -n "$APP" label configmap settings env=test
expect_eq "label output" "configmap/settings labeled" "$OUT"
expect_ok "kubectl get -l env=test" k -n "$APP" get configmaps -l env=test -o name
expect_eq "label selector finds the labelled configmap" "configmap/settings" "$OUT"
expect_ok "kubectl label --overwrite" k -n "$APP" label configmap settings env=prod --overwrite
expect_fail "label without --overwrite refuses to change a value" "already has a value" \
    k -n "$APP" label configmap settings env=other
expect_ok "kubectl label (remove)" k -n "$APP" label configmap settings tier-
expect_ok "labels after label/remove" k -n "$APP" get configmap settings -o 'jsonpath={.metadata.labels}'
expect_eq "labels are app=web, env=prod" '{"app":"web","env":"prod"}' "$OUT"

expect_ok "kubectl annotate" k -n "$APP" annotate configmap settings owner=e2e note='hello world'
expect_eq "annotate output" "configmap/settings annotated" "$OUT"
expect_ok "annotations after annotate" k -n "$APP" get configmap settings -o 'jsonpath={.metadata.annotations.note}'
expect_eq "annotation value" "hello world" "$OUT"
expect_ok "kubectl annotate (remove)" k -n "$APP" annotate configmap settings owner-
expect_ok "annotations after remove" k -n "$APP" get configmap settings -o json
expect_json "owner annotation removed" '"owner" in d["metadata"].get("annotations", {})' "false"

expect_ok "kubectl patch --type merge" k -n "$APP" patch configmap settings --type merge -p '{"data":{"merged":"yes"}}'
expect_eq "patch output" "configmap/settings patched" "$OUT"
expect_ok "kubectl patch --type json" k -n "$APP" patch configmap settings --type json \
    -p '[{"op":"add","path":"/data/json","value":"yes"},{"op":"remove","path":"/data/size"}]'
expect_ok "configmap after merge and json patches" k -n "$APP" get configmap settings -o json
expect_json "merge + json patch result" 'd["data"]' '{"color": "red", "json": "yes", "merged": "yes"}'
expect_fail "json patch test op failure is reported" "testing value /data/color failed: test failed" \
    k -n "$APP" patch configmap settings --type json -p '[{"op":"test","path":"/data/color","value":"green"}]'

expect_ok "kubectl patch (strategic, default) updates a container by name" k -n "$APP" patch deployment web \
    -p '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}}}'
expect_ok "kubectl patch --type strategic adds a container" k -n "$APP" patch deployment web --type strategic \
    -p '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"}]}}}}'
expect_ok "deployment after strategic patches" k -n "$APP" get deployment web -o json
expect_json "strategic merge kept and updated containers by name" \
    'sorted((c["name"], c["image"]) for c in d["spec"]["template"]["spec"]["containers"])' \
    '[["sidecar", "busybox:1.36"], ["web", "nginx:1.28"]]'
expect_json "strategic merge kept the container ports (protocol defaulted to TCP)" \
    '[c.get("ports") for c in d["spec"]["template"]["spec"]["containers"] if c["name"] == "web"]' \
    '[[{"containerPort": 80, "protocol": "TCP"}]]'
expect_json "spec patches bumped generation to 3" 'd["metadata"]["generation"]' "3"
expect_ok "kubectl patch (strategic \$patch: delete)" k -n "$APP" patch deployment web \
    -p '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}'
expect_ok "deployment after \$patch: delete" k -n "$APP" get deployment web \
    -o 'jsonpath={.spec.template.spec.containers[*].name}'
expect_eq "sidecar removed" "web" "$OUT"

expect_ok "kubectl scale deployment" k -n "$APP" scale deployment web --replicas=3
expect_eq "scale output" "deployment.apps/web scaled" "$OUT"
expect_ok "deployment after scale" k -n "$APP" get deployment web -o 'jsonpath={.spec.replicas}'
expect_eq "scale wrote spec.replicas" "3" "$OUT"
expect_ok "GET deployments/web/scale" k get --raw "/apis/apps/v1/namespaces/$APP/deployments/web/scale"
expect_json "scale subresource kind" 'd["kind"]' "Scale"
expect_json "scale subresource apiVersion" 'd["apiVersion"]' "autoscaling/v1"
expect_json "scale subresource spec.replicas" 'd["spec"]["replicas"]' "3"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "autoscale (autoscaling/v1, stored as v2)"

expect_ok "kubectl autoscale (POSTs autoscaling/v1)" k -n "$APP" autoscale deployment web --max=5 --cpu-percent=60
expect_eq "autoscale output" "horizontalpodautoscaler.autoscaling/web autoscaled" "$OUT"
run k -n "$APP" get hpa web
expect_line "get hpa shows the CPU target" "^web Deployment/web cpu: <unknown>/60% 1 5 0 .*$"
run k -n "$APP" get hpa web -o 'jsonpath={.apiVersion} {.spec.metrics[0].resource.target.averageUtilization}'
expect_eq "read as v2: a CPU utilization metric" "autoscaling/v2 60" "$OUT"
run k -n "$APP" get horizontalpodautoscalers.v1.autoscaling web -o 'jsonpath={.apiVersion} {.spec.targetCPUUtilizationPercentage}'
expect_eq "read as v1: targetCPUUtilizationPercentage" "autoscaling/v1 60" "$OUT"
expect_ok "delete hpa" k -n "$APP" delete hpa web

# ---------------------------------------------------------------------------------------------------------------
e2e_log "get -w (live watch events)"

WNS=e2e-watch
expect_ok "create watch namespace" k create namespace "$WNS"
expect_ok "create sentinel configmap" k -n "$WNS" create configmap sentinel --from-literal=x=1
# The root CA publisher puts kube-root-ca.crt into every new namespace: wait for it, so the watches list it first.
for attempt in $(seq 1 40); do
    run k -n "$WNS" get configmap kube-root-ca.crt -o name
    [ "$OUT" = configmap/kube-root-ca.crt ] && break
    sleep 0.25
done
expect_eq "the new namespace got kube-root-ca.crt" "configmap/kube-root-ca.crt" "$OUT"
kubectl --cache-dir "$CACHE" -n "$WNS" get configmaps -w --output-watch-events >"$WORK/watch.out" 2>&1 &
WATCH_PID=$!
track_pid "$WATCH_PID"
kubectl --cache-dir "$CACHE" -n "$WNS" get configmaps -w -o name >"$WORK/watch-name.out" 2>&1 &
WATCH_NAME_PID=$!
track_pid "$WATCH_NAME_PID"
deadline=$((SECONDS + 20))
until grep -q sentinel "$WORK/watch.out" && grep -q sentinel "$WORK/watch-name.out"; do
    [ "$SECONDS" -lt "$deadline" ] || break
    sleep 0.2
done
expect_ok "watched: create configmap" k -n "$WNS" create configmap live --from-literal=k=v
expect_ok "watched: label configmap" k -n "$WNS" label configmap live stage=two
expect_ok "watched: delete configmap" k -n "$WNS" delete configmap live
deadline=$((SECONDS + 20))
until grep -q '^DELETED' "$WORK/watch.out"; do
    [ "$SECONDS" -lt "$deadline" ] || break
    sleep 0.2
done
sleep 0.5
kill "$WATCH_PID" "$WATCH_NAME_PID" 2>/dev/null || true
wait "$WATCH_PID" "$WATCH_NAME_PID" 2>/dev/null || true
OUT=$(cat "$WORK/watch.out")
expect_first_line "watch header" "EVENT NAME DATA AGE"
expect_eq "watch events, in order" \
    "$(printf 'ADDED kube-root-ca.crt\nADDED sentinel\nADDED live\nMODIFIED live\nDELETED live')" \
    "$(printf '%s\n' "$OUT" | tail -n +2 | squeeze | cut -d' ' -f1,2)"
OUT=$(cat "$WORK/watch-name.out")
expect_eq "watch -o name lines" \
    "$(printf 'configmap/kube-root-ca.crt\nconfigmap/sentinel\nconfigmap/live\nconfigmap/live\nconfigmap/live')" "$OUT"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "kubectl proxy"

PROXY_PORT=$(free_port)
kubectl --cache-dir "$CACHE" proxy --address 127.0.0.1 --port "$PROXY_PORT" >"$WORK/proxy.out" 2>&1 &
PROXY_PID=$!
track_pid "$PROXY_PID"
deadline=$((SECONDS + 20))
until curl -sf -o /dev/null "http://127.0.0.1:$PROXY_PORT/version"; do
    if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$PROXY_PID" 2>/dev/null; then
        fail "kubectl proxy starts" "output:" "$(cat "$WORK/proxy.out")"
        break
    fi
    sleep 0.2
done
run curl -sS --max-time 20 "http://127.0.0.1:$PROXY_PORT/api/v1/namespaces"
expect_json "proxy: namespace list kind" 'd["kind"]' "NamespaceList"
expect_json "proxy: lists $APP" "\"$APP\" in [i[\"metadata\"][\"name\"] for i in d[\"items\"]]" "true"
run curl -sS --max-time 20 "http://127.0.0.1:$PROXY_PORT/api/v1/namespaces/$APP/configmaps?labelSelector=app%3Dweb"
expect_json "proxy: label selector through the proxy" '[i["metadata"]["name"] for i in d["items"]]' '["settings"]'
kill "$PROXY_PID" 2>/dev/null || true
wait "$PROXY_PID" 2>/dev/null || true

# ---------------------------------------------------------------------------------------------------------------
e2e_log "delete: by name, by label, --all"

expect_ok "kubectl delete by name" k -n "$NS" delete configmap cm-gen --timeout=30s
expect_eq "delete output" 'configmap "cm-gen" deleted' "$OUT"
expect_fail "deleted configmap is gone" 'configmaps "cm-gen" not found' k -n "$NS" get configmap cm-gen
expect_fail "delete a missing object fails with NotFound" \
    'Error from server (NotFound): configmaps "cm-gen" not found' k -n "$NS" delete configmap cm-gen

expect_ok "create labelled configmaps" k -n "$NS" create configmap del-a --from-literal=x=1
expect_ok "create labelled configmaps (2)" k -n "$NS" create configmap del-b --from-literal=x=1
expect_ok "create unlabelled configmap" k -n "$NS" create configmap keep --from-literal=x=1
expect_ok "label del-a" k -n "$NS" label configmap del-a purge=yes
expect_ok "label del-b" k -n "$NS" label configmap del-b purge=yes
expect_ok "kubectl delete -l" k -n "$NS" delete configmaps -l purge=yes --timeout=30s
expect_line "delete -l: del-a" 'configmap "del-a" deleted'
expect_line "delete -l: del-b" 'configmap "del-b" deleted'
expect_ok "configmaps after delete -l" k -n "$NS" get configmaps -o name
expect_eq "only the unlabelled configmaps are left" "$(printf 'configmap/keep\nconfigmap/kube-root-ca.crt')" "$OUT"

expect_ok "kubectl delete --all" k -n "$NS" delete configmaps --all --timeout=30s
expect_line "delete --all: keep" 'configmap "keep" deleted'
expect_line "delete --all: kube-root-ca.crt" 'configmap "kube-root-ca.crt" deleted'
# As upstream, the root CA publisher re-creates kube-root-ca.crt at once; nothing else comes back.
for attempt in $(seq 1 40); do
    run k -n "$NS" get configmaps -o name
    [ "$OUT" = configmap/kube-root-ca.crt ] && break
    sleep 0.25
done
expect_eq "only the re-created kube-root-ca.crt is left" "configmap/kube-root-ca.crt" "$OUT"
expect_ok "kubectl get (empty) says so" k -n "$NS" get configmaps -l purge=yes
expect_eq "empty list message" "No resources found in $NS namespace." "$OUT"

expect_ok "kubectl delete deployment, service, serviceaccount, secret" \
    k -n "$NS" delete deployment/dep-gen service/svc-gen serviceaccount/sa-gen secret/s-gen --timeout=30s
expect_line "delete deployment" 'deployment.apps "dep-gen" deleted'
expect_line "delete service" 'service "svc-gen" deleted'

# ---------------------------------------------------------------------------------------------------------------
e2e_log "restart on the same data dir"

cp "$KUBECONFIG" "$WORK/kubeconfig-before.yaml"
cert_sums() { (cd "$DATA_DIR/tls" && sha256sum ca.crt client-admin.crt client-admin.key); }
SUMS_BEFORE=$(cert_sums)
expect_ok "applied configmap before restart" k -n "$APP" get configmap applied -o 'jsonpath={.metadata.uid}'
UID_BEFORE=$OUT
expect_ok "list RV before restart" k get --raw "/api/v1/namespaces/$APP/configmaps"
RV_BEFORE=$(json_get 'd["metadata"]["resourceVersion"]')
stop_server
start_server "$WORK/server.log"
expect_eq "certificates reused across restart" "$SUMS_BEFORE" "$(cert_sums)"
expect_ok "old kubeconfig still works after restart" \
    kubectl --kubeconfig "$WORK/kubeconfig-before.yaml" --cache-dir "$CACHE" get namespace "$APP" -o name
expect_eq "namespace survived the restart" "namespace/$APP" "$OUT"
expect_ok "configmap survived the restart" k -n "$APP" get configmap applied -o 'jsonpath={.metadata.uid}'
expect_eq "same uid after restart" "$UID_BEFORE" "$OUT"
expect_ok "deployment survived the restart" k -n "$APP" get deployment web -o 'jsonpath={.spec.replicas}'
expect_eq "deployment replicas after restart" "3" "$OUT"
expect_ok "list after restart" k get --raw "/api/v1/namespaces/$APP/configmaps"
expect_json "resourceVersion does not go back after restart" "int(d['metadata']['resourceVersion']) >= $RV_BEFORE" \
    "true"
expect_ok "write after restart" k -n "$APP" create configmap after-restart --from-literal=x=1
expect_ok "list after a write after restart" k get --raw "/api/v1/namespaces/$APP/configmaps"
expect_json "resourceVersion grows after restart" "int(d['metadata']['resourceVersion']) > $RV_BEFORE" "true"

expect_ok "kubectl delete namespace" k delete namespace "$WNS" --timeout=30s
expect_eq "delete namespace output" "namespace \"$WNS\" deleted" "$OUT"

stop_server
finish "kubectl e2e"
