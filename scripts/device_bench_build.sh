#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the CPU benchmarks as self-contained binaries in .gpu/cpu/ (git-ignored) for timing on
# another x86-64 machine (the device machine): libstdc++ and OpenBLAS linked statically,
# libbenchmark carried beside them with an rpath of $ORIGIN.
# Usage: scripts/device_bench_build.sh [bench_name ...]   (default: nn, indexing, sort, matmul)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .gpu/cpu
cp /usr/lib/x86_64-linux-gnu/libbenchmark.so.1debian .gpu/cpu/
benches=("$@")
[ ${#benches[@]} -eq 0 ] && benches=(bench_nn bench_indexing bench_sort bench_matmul)
for b in "${benches[@]}"; do
  nice -n 5 g++ -std=c++20 -O3 -march=x86-64-v4 -mtune=skylake-avx512 -Iinclude -DMLXPP_WITH_OPENBLAS=1 -DMLXPP_HAVE_EIGEN=1 \
    -DMLXPP_HAVE_XTENSOR=1 -DXTENSOR_USE_XSIMD -I/usr/include/eigen3 benchmarks/cpu/$b.cpp -o .gpu/cpu/$b -static-libstdc++ -static-libgcc \
    -Wl,-rpath,'$ORIGIN' -L.gpu/cpu -l:libbenchmark.so.1debian \
    /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.a /usr/lib/gcc/x86_64-linux-gnu/12/libgfortran.a \
    /usr/lib/gcc/x86_64-linux-gnu/12/libquadmath.a -pthread -lm
  strip .gpu/cpu/$b
done
