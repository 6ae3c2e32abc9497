#!/usr/bin/env bash
# The whole test suite: an import-checked build of everything (the `skiff` binary too: the store's crash test
# drives it as a child process), then every test, then the end-to-end tests (real kubectl and the Python client
# against that `skiff` binary; they need kubectl, curl, python3 with venv and PyPI; SKIFF_E2E=0 skips them).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests --explicit-target-dependency-import-check error
swift test --skip-build
if [ "${SKIFF_E2E:-1}" != 0 ]; then
    scripts/e2e.sh "$(swift build --show-bin-path)/skiff"
fi
