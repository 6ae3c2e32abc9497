#!/usr/bin/env bash
# The whole test suite: an import-checked build of everything (the `skiff` binary too: the store's crash test
# drives it as a child process), then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests --explicit-target-dependency-import-check error
swift test --skip-build
