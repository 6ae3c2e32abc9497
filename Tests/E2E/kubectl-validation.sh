#!/usr/bin/env bash
# End-to-end: per-type validation and defaulting as the real kubectl sees them (422 causes, immutable fields,
# defaults in `kubectl get -o yaml`).
#
#   Tests/E2E/kubectl-validation.sh [path/to/skiff]        (or SKIFF=path/to/skiff)
#
# Starts `skiff server` in a temporary data dir on a free 127.0.0.1 port and stops it on exit. E2E_KEEP=1 keeps
# the temporary dir.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

e2e_kubectl_setup validation "$@"

start_server "$WORK/server.log"
NS=validation
expect_ok "create namespace $NS" k create namespace "$NS"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "create with a bad manifest: 422 and one cause per problem"

cat >"$WORK/bad-pod.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: bad
spec:
  restartPolicy: Sometimes
  containers:
  - ports:
    - containerPort: 70000
YAML
expect_fail "kubectl create -f bad-pod.yaml is rejected" 'The Pod "bad" is invalid:' k -n "$NS" create -f "$WORK/bad-pod.yaml"
expect_contains "cause: container name required" "* spec.containers[0].name: Required value"
expect_contains "cause: container image required" "* spec.containers[0].image: Required value"
expect_contains "cause: port out of range" \
    "* spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"
expect_contains "cause: unsupported restart policy" \
    '* spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'
expect_not_contains "causes do not repeat their field" "spec.containers[0].name: spec.containers[0].name"
expect_fail "the bad pod was not stored" 'pods "bad" not found' k -n "$NS" get pod bad

run curl_admin -H 'Content-Type: application/json' -X POST "https://127.0.0.1:$PORT/api/v1/namespaces/$NS/pods" \
    -d '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":{"containers":[{}]}}'
expect_json "raw Status code" 'd["code"]' "422"
expect_json "raw Status reason" 'd["reason"]' "Invalid"
expect_json "raw Status message brackets several problems" 'd["message"]' \
    'Pod "x" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]'
expect_json "raw Status causes" '[(c["field"], c["reason"], c["message"]) for c in d["details"]["causes"]]' \
    '[["spec.containers[0].name", "FieldValueRequired", "Required value"], ["spec.containers[0].image", "FieldValueRequired", "Required value"]]'

cat >"$WORK/bad-deploy.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx
YAML
expect_fail "a deployment whose selector does not match is rejected" 'The Deployment "web" is invalid' k -n "$NS" create -f "$WORK/bad-deploy.yaml"
expect_contains "selector mismatch message" \
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`'

# kubectl checks --from-literal keys itself, so the bad key comes in a manifest the server must reject.
cat > "$WORK/bad-key.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: bad-key}
data: {"a b": "1"}
YAML
expect_fail "a configmap key with a space is rejected" 'The ConfigMap "bad-key" is invalid' k -n "$NS" create -f "$WORK/bad-key.yaml"
expect_contains "configmap key message" "data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters"

cat > "$WORK/bad-hpa.yaml" <<'YAML'
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: bad-hpa}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 3
  metrics:
  - type: Pods
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 0}}
YAML
expect_fail "an autoscaler whose metric names the wrong source is rejected" \
    'The HorizontalPodAutoscaler "bad-hpa" is invalid' k -n "$NS" create -f "$WORK/bad-hpa.yaml"
expect_contains "the missing source" "spec.metrics[0].pods: Required value: must populate information for the given metric source"
expect_contains "the target checked" "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "immutable fields"

sed 's/app: api/app: web/' "$WORK/bad-deploy.yaml" >"$WORK/deploy.yaml"
expect_ok "create a valid deployment" k -n "$NS" create -f "$WORK/deploy.yaml"
expect_fail "changing a deployment's selector is rejected" "field is immutable" k -n "$NS" patch deployment web --type=merge \
    -p '{"spec":{"selector":{"matchLabels":{"app":"api"}},"template":{"metadata":{"labels":{"app":"api"}}}}}'
expect_contains "selector immutable message" 'The Deployment "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"api"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable'
expect_ok "changing a deployment's image is fine" k -n "$NS" set image deployment/web web=nginx:1.27

expect_ok "create an immutable configmap" k -n "$NS" apply -f - <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: frozen
immutable: true
data:
  a: "1"
YAML
expect_fail "changing an immutable configmap is rejected" 'The ConfigMap "frozen" is invalid' k -n "$NS" patch configmap frozen --type=merge -p '{"data":{"a":"2"}}'
expect_contains "immutable configmap message" 'data: Forbidden: field is immutable when `immutable` is set'

expect_ok "create a pod" k -n "$NS" run p --image=nginx:1.26 --restart=Never
expect_fail "changing a pod's restart policy is rejected" 'The Pod "p" is invalid' k -n "$NS" patch pod p --type=merge -p '{"spec":{"restartPolicy":"Always"}}'
expect_contains "pod update message" 'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`'
expect_ok "changing a pod's image is fine" k -n "$NS" set image pod/p p=nginx:1.27

# pods/ephemeralcontainers: kubectl debug adds a container there; it can be neither removed nor changed later. (A
# strategic merge patch puts new list items before the live ones, as upstream's does: the new one is [0].)
expect_ok "kubectl debug adds an ephemeral container" k -n "$NS" debug p --image=busybox:1.36 -c dbg --attach=false \
    --profile=general
run k -n "$NS" get pod p -o 'jsonpath={.spec.ephemeralContainers[0].name} {.spec.ephemeralContainers[0].image} {.spec.ephemeralContainers[0].imagePullPolicy} {.spec.ephemeralContainers[0].terminationMessagePolicy}'
expect_eq "the ephemeral container is stored with its defaults" "dbg busybox:1.36 IfNotPresent File" "$OUT"
run k -n "$NS" get --raw "/api/v1/namespaces/$NS/pods/p/ephemeralcontainers"
expect_json "GET pods/ephemeralcontainers is the pod" 'd["kind"] + " " + d["spec"]["ephemeralContainers"][0]["name"]' "Pod dbg"
expect_fail "an ephemeral container cannot be removed" 'existing ephemeral containers "dbg" may not be removed' \
    k -n "$NS" patch pod p --subresource=ephemeralcontainers --type=json -p '[{"op":"remove","path":"/spec/ephemeralContainers/0"}]'
expect_fail "or changed" 'existing ephemeral containers "dbg" may not be changed' \
    k -n "$NS" patch pod p --subresource=ephemeralcontainers --type=json \
    -p '[{"op":"replace","path":"/spec/ephemeralContainers/0/image","value":"busybox:1.37"}]'
expect_fail "an ephemeral container may not have ports" \
    'spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container' \
    k -n "$NS" patch pod p --subresource=ephemeralcontainers --type=strategic \
    -p '{"spec":{"ephemeralContainers":[{"name":"web","image":"nginx","ports":[{"containerPort":80}]}]}}'
run k -n "$NS" patch pod p --subresource=ephemeralcontainers --type=merge -p '{"spec":{"containers":[{"name":"p","image":"x"}]}}'
run k -n "$NS" get pod p -o 'jsonpath={.spec.containers[0].image}'
expect_eq "the subresource changes nothing but the ephemeral containers" "nginx:1.27" "$OUT"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "defaults visible in kubectl get -o yaml"

expect_ok "create a pod with limits only" k -n "$NS" apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: limited
spec:
  containers:
  - name: app
    image: busybox
    resources:
      limits:
        cpu: 500m
        memory: 64Mi
    livenessProbe:
      httpGet:
        port: 8080
YAML
expect_ok "get the pod as YAML" k -n "$NS" get pod limited -o yaml
expect_contains "pod phase Pending" "phase: Pending"
expect_contains "pod qosClass Guaranteed" "qosClass: Guaranteed"
expect_ok "get the pod as JSON" k -n "$NS" get pod limited -o json
expect_json "requests default to limits" 'd["spec"]["containers"][0]["resources"]["requests"]' '{"cpu": "500m", "memory": "64Mi"}'
expect_json "probe defaults" '[d["spec"]["containers"][0]["livenessProbe"][k] for k in ("timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold")]' '[1, 10, 1, 3]'
expect_json "httpGet defaults" '[d["spec"]["containers"][0]["livenessProbe"]["httpGet"][k] for k in ("path", "scheme")]' '["/", "HTTP"]'

expect_ok "create a job" k -n "$NS" create job pi --image=perl -- perl -e 'print 1'
expect_ok "get the job as JSON" k -n "$NS" get job pi -o json
expect_json "job backoffLimit" 'd["spec"]["backoffLimit"]' "6"
expect_json "job completionMode" 'd["spec"]["completionMode"]' "NonIndexed"
expect_json "job podReplacementPolicy" 'd["spec"]["podReplacementPolicy"]' "TerminatingOrFailed"
expect_json "job selector is generated from the uid" \
    'd["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"] == d["metadata"]["uid"]' "true"
expect_json "job template carries the job-name label" 'd["spec"]["template"]["metadata"]["labels"]["job-name"]' "pi"

expect_ok "create a cronjob" k -n "$NS" create cronjob tick --image=busybox --schedule='*/5 * * * *'
expect_ok "get the cronjob as JSON" k -n "$NS" get cronjob tick -o json
expect_json "cronjob defaults" '[d["spec"][k] for k in ("concurrencyPolicy", "suspend", "successfulJobsHistoryLimit", "failedJobsHistoryLimit")]' '["Allow", false, 3, 1]'
expect_fail "a cronjob with a bad schedule is rejected" 'CronJob.batch "bad" is invalid' k -n "$NS" create cronjob bad --image=busybox --schedule='* * *'
expect_contains "cron schedule message" 'spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]'

expect_ok "delete the namespace" k delete namespace "$NS" --timeout=30s --wait=false

stop_server
finish "kubectl validation e2e"
