#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds (Release) and runs the main example; extra arguments are passed to it.
# Usage: scripts/example.sh [args...]
set -euo pipefail
cd "$(dirname "$0")/.."

example=fashion_mnist
scripts/setup.sh
# Same configuration as scripts/test.sh, so the two share one build directory.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMLXPP_BUILD_BENCHMARKS=OFF
cmake --build build -j2 --target "$example"
exec "build/examples/$example" "$@"
