#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds (Release) and runs every test suite. This is the README's test command and CI's.
# Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMLXPP_BUILD_BENCHMARKS=OFF
cmake --build build -j2
ctest --test-dir build --output-on-failure -j2
