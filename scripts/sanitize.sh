#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer),
# GPU runs on lavapipe included: the asan presets of CMakePresets.json (Debug -Og, build-asan/).
# Tests that only run the compiler (headers, compile-fail, lazy instantiation) are left to
# the Release run. Part of CI (.ci/run). Usage: scripts/sanitize.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cmake --preset asan
cmake --build --preset asan
ctest --preset asan
