#!/usr/bin/env bash
# End-to-end: admission (NamespaceLifecycle, ServiceAccount, LimitRanger, ResourceQuota, Priority,
# DefaultTolerationSeconds) and Service node ports as the real kubectl sees them.
#
#   Tests/E2E/kubectl-admission.sh [path/to/skiff]        (or SKIFF=path/to/skiff)
#
# Starts `skiff server` in a temporary data dir on a free 127.0.0.1 port and stops it on exit. E2E_KEEP=1 keeps
# the temporary dir.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

e2e_kubectl_setup admission "$@"

start_server "$WORK/server.log"
NS=admission
expect_ok "create namespace $NS" k create namespace "$NS"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "NamespaceLifecycle"

expect_fail "create in a missing namespace is NotFound" \
    'namespaces "nowhere" not found' \
    k -n nowhere create configmap c --from-literal=a=b
expect_fail "kube-system cannot be deleted" \
    'Error from server (Forbidden): namespaces "kube-system" is forbidden: this namespace may not be deleted' \
    k delete namespace kube-system --wait=false
expect_ok "create namespace doomed" k create namespace doomed
# An object with a finalizer holds the namespace in Terminating until the check below is done.
cat > "$WORK/hold.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: hold, namespace: doomed, finalizers: [e2e.skiff.dev/hold]}
YAML
expect_ok "create a configmap with a finalizer in doomed" k create -f "$WORK/hold.yaml"
expect_ok "delete namespace doomed without waiting" k delete namespace doomed --wait=false
run k get namespace doomed -o 'jsonpath={.status.phase}'
expect_eq "doomed is Terminating while content remains" "Terminating" "$OUT"
expect_fail "create in a terminating namespace is Forbidden" \
    'configmaps "c" is forbidden: unable to create new content in namespace doomed because it is being terminated' \
    k -n doomed create configmap c --from-literal=a=b
expect_ok "release the finalizer" k -n doomed patch configmap hold --type merge -p '{"metadata":{"finalizers":null}}'
for attempt in $(seq 1 60); do
    run k get namespace doomed --ignore-not-found -o name
    [ -z "$OUT" ] && break
    sleep 0.5
done
expect_eq "then the namespace goes" "" "$OUT"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "ServiceAccount, Priority, DefaultTolerationSeconds on a plain pod"

expect_ok "kubectl run plain" k -n "$NS" run plain --image=nginx --restart=Never
expect_ok "get plain pod" k -n "$NS" get pod plain -o json
expect_json "serviceAccountName defaults to default" 'd["spec"]["serviceAccountName"]' "default"
expect_json "serviceAccount mirrors it" 'd["spec"]["serviceAccount"]' "default"
expect_json "token volume is kube-api-access-xxxxx" \
    '[v["name"][:16] for v in d["spec"]["volumes"] if "projected" in v]' '["kube-api-access-"]'
expect_json "token projection expires in 3607s" \
    '[v["projected"]["sources"][0]["serviceAccountToken"] for v in d["spec"]["volumes"] if "projected" in v][0]' \
    '{"expirationSeconds": 3607, "path": "token"}'
expect_json "token volume mounted read-only" \
    '[(m["mountPath"], m["readOnly"]) for m in d["spec"]["containers"][0]["volumeMounts"]]' \
    '[["/var/run/secrets/kubernetes.io/serviceaccount", true]]'
expect_json "priority 0 without a default class" 'd["spec"]["priority"]' "0"
expect_json "preemptionPolicy defaults" 'd["spec"]["preemptionPolicy"]' "PreemptLowerPriority"
expect_json "not-ready and unreachable tolerations for 300s" \
    'sorted((t["key"], t["effect"], t["tolerationSeconds"]) for t in d["spec"]["tolerations"])' \
    '[["node.kubernetes.io/not-ready", "NoExecute", 300], ["node.kubernetes.io/unreachable", "NoExecute", 300]]'

cat >"$WORK/no-automount.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: quiet
spec:
  automountServiceAccountToken: false
  priorityClassName: system-cluster-critical
  containers:
  - name: c
    image: nginx
YAML
expect_ok "create pod without token automount" k -n "$NS" create -f "$WORK/no-automount.yaml"
expect_ok "get quiet pod" k -n "$NS" get pod quiet -o json
expect_json "no volumes without automount" 'd["spec"].get("volumes")' "null"
expect_json "system-cluster-critical priority" 'd["spec"]["priority"]' "2000000000"
expect_ok "system priority classes exist" k get priorityclass system-node-critical -o 'jsonpath={.value}'
expect_eq "system-node-critical value" "2000001000" "$OUT"

expect_fail "unknown priority class is Forbidden" \
    'pods "ghost" is forbidden: no PriorityClass with name nope was found' \
    k -n "$NS" run ghost --image=nginx --restart=Never --overrides='{"spec":{"priorityClassName":"nope"}}'
expect_fail "missing service account is Forbidden" \
    'pods "lost" is forbidden: error looking up service account admission/robot: serviceaccount "robot" not found' \
    k -n "$NS" run lost --image=nginx --restart=Never --overrides='{"spec":{"serviceAccountName":"robot"}}'

# ---------------------------------------------------------------------------------------------------------------
e2e_log "LimitRanger"

cat >"$WORK/limits.yaml" <<'YAML'
apiVersion: v1
kind: LimitRange
metadata:
  name: limits
spec:
  limits:
  - type: Container
    default:
      cpu: 500m
      memory: 128Mi
    defaultRequest:
      cpu: 100m
    max:
      cpu: "1"
YAML
expect_ok "create LimitRange" k -n "$NS" create -f "$WORK/limits.yaml"
expect_ok "kubectl run limited" k -n "$NS" run limited --image=nginx --restart=Never
expect_ok "get limited pod" k -n "$NS" get pod limited -o json
expect_json "default request applied" 'd["spec"]["containers"][0]["resources"]["requests"]' \
    '{"cpu": "100m", "memory": "128Mi"}'
expect_json "default limit applied" 'd["spec"]["containers"][0]["resources"]["limits"]' \
    '{"cpu": "500m", "memory": "128Mi"}'
expect_json "limit-ranger annotation" 'd["metadata"]["annotations"]["kubernetes.io/limit-ranger"]' \
    "LimitRanger plugin set: cpu, memory request for container limited; cpu, memory limit for container limited"
expect_fail "max cpu is enforced" \
    'pods "greedy" is forbidden: maximum cpu usage per Container is 1, but limit is 2' \
    k -n "$NS" run greedy --image=nginx --restart=Never \
    --overrides='{"spec":{"containers":[{"name":"greedy","image":"nginx","resources":{"limits":{"cpu":"2"}}}]}}'
expect_ok "delete LimitRange" k -n "$NS" delete limitrange limits

# ---------------------------------------------------------------------------------------------------------------
e2e_log "ResourceQuota"

QNS=quota
expect_ok "create namespace $QNS" k create namespace "$QNS"
expect_ok "create quota" k -n "$QNS" create quota q --hard=pods=2,count/configmaps=5
# The resource quota controller publishes the limits and the usage it counts (kube-root-ca.crt is a ConfigMap).
wait_for "the quota controller publishes status.hard" "2 5" \
    -n "$QNS" get resourcequota q -o 'jsonpath={.status.hard.pods} {.status.hard.count/configmaps}'
wait_for "and status.used" "0 1" \
    -n "$QNS" get resourcequota q -o 'jsonpath={.status.used.pods} {.status.used.count/configmaps}'
expect_ok "first pod within quota" k -n "$QNS" run one --image=nginx --restart=Never
expect_ok "second pod within quota" k -n "$QNS" run two --image=nginx --restart=Never
expect_ok "quota usage charged" k -n "$QNS" get resourcequota q -o 'jsonpath={.status.used.pods}'
expect_eq "quota used pods" "2" "$OUT"
expect_fail "third pod exceeds the quota" \
    'Error from server (Forbidden): pods "three" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2' \
    k -n "$QNS" run three --image=nginx --restart=Never
expect_fail "a server dry run is refused the same way" "exceeded quota: q" \
    k -n "$QNS" run four --image=nginx --restart=Never --dry-run=server
expect_ok "refused and dry-run requests charge nothing" k -n "$QNS" get resourcequota q -o 'jsonpath={.status.used.pods}'
expect_eq "quota used pods unchanged" "2" "$OUT"
expect_ok "delete pod one (no kubelet: it goes at once)" k -n "$QNS" delete pod one --wait=false
wait_for "the quota controller gives the pod back" "1" -n "$QNS" get resourcequota q -o 'jsonpath={.status.used.pods}'
expect_ok "then a third pod fits" k -n "$QNS" run three --image=nginx --restart=Never
expect_ok "create configmap c1" k -n "$QNS" create configmap c1
run k -n "$QNS" get resourcequota q -o 'jsonpath={.status.used.count/configmaps}'
expect_eq "admission charges the configmap" "2" "$OUT"
expect_ok "delete configmap c1" k -n "$QNS" delete configmap c1
wait_for "and the controller gives it back" "1" \
    -n "$QNS" get resourcequota q -o 'jsonpath={.status.used.count/configmaps}'
# Any other counted kind is given back as promptly: the controller watches every resource's metadata.
expect_ok "create quota on secrets and deployments" \
    k -n "$QNS" create quota counts --hard=count/secrets=3,count/deployments.apps=1
expect_ok "create secret s1" k -n "$QNS" create secret generic s1 --from-literal=k=v
expect_ok "create deployment d1" k -n "$QNS" create deployment d1 --image=nginx
wait_for "both are counted" "1 1" \
    -n "$QNS" get resourcequota counts -o 'jsonpath={.status.used.count/secrets} {.status.used.count/deployments\.apps}'
expect_fail "a second deployment exceeds the quota" "exceeded quota: counts" \
    k -n "$QNS" create deployment d2 --image=nginx
expect_ok "delete secret s1 and deployment d1" k -n "$QNS" delete secret/s1 deployment/d1
wait_for "the controller gives both back without waiting for its resync" "0 0" \
    -n "$QNS" get resourcequota counts -o 'jsonpath={.status.used.count/secrets} {.status.used.count/deployments\.apps}'

# ---------------------------------------------------------------------------------------------------------------
e2e_log "Service node ports"

expect_ok "create NodePort service with an explicit port" \
    k -n "$NS" create service nodeport fixed --tcp=80:8080 --node-port=30080
expect_ok "get fixed" k -n "$NS" get service fixed -o 'jsonpath={.spec.ports[0].nodePort}'
expect_eq "explicit node port honoured" "30080" "$OUT"
expect_fail "a taken node port is Invalid" \
    'Service "clash" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated' \
    k -n "$NS" create service nodeport clash --tcp=80:8080 --node-port=30080
expect_ok "create NodePort service with an automatic port" k -n "$NS" create service nodeport auto --tcp=80:8080
expect_ok "get auto" k -n "$NS" get service auto -o 'jsonpath={.spec.ports[0].nodePort}'
AUTO_PORT=$OUT
expect_eq "automatic node port in 30000-32767" "true" \
    "$([ "$AUTO_PORT" -ge 30000 ] 2>/dev/null && [ "$AUTO_PORT" -le 32767 ] && echo true || echo "false ($AUTO_PORT)")"
expect_fail "dry run of a clash is Invalid" "provided port is already allocated" \
    k -n "$NS" create service nodeport dry --tcp=80:8080 --node-port=30080 --dry-run=server

stop_server
start_server "$WORK/server.log"
expect_fail "node port still taken after a restart" "provided port is already allocated" \
    k -n "$NS" create service nodeport clash --tcp=80:8080 --node-port=30080
expect_ok "delete the owner" k -n "$NS" delete service fixed
expect_ok "the released port can be taken" k -n "$NS" create service nodeport clash --tcp=80:8080 --node-port=30080
expect_ok "NodePort to ClusterIP" k -n "$NS" patch service auto --type=merge -p '{"spec":{"type":"ClusterIP"}}'
expect_ok "get auto after the type change" k -n "$NS" get service auto -o 'jsonpath={.spec.ports[0].nodePort}'
expect_eq "node port dropped with the type" "" "$OUT"
expect_ok "the released automatic port can be taken" \
    k -n "$NS" create service nodeport reuse --tcp=80:8080 --node-port="$AUTO_PORT"

stop_server
finish "kubectl admission e2e"
