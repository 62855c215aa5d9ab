#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the Google Benchmark programs (Release, -O3 -march=native) in build-bench/ and runs
# each of them, then NumPy's reduction figures with ours/NumPy ratios and PyTorch's conv2d and
# softmax figures, MLP training steps and one-epoch trainings (epoch_torch_peer.py) with
# ours/torch ratios. Every program prints
# its own ratio table (time ours / peer) after its runs; see benchmarks/README.md.
# Usage: scripts/bench.sh [benchmark flags...]   e.g. --benchmark_filter=BM_AddMul
#        (flags go to every program; defaults: --benchmark_min_time=0.2
#        --benchmark_repetitions=5, medians reported)
# Outputs: build-bench/results/<program>.txt (console) and .json (every run).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
build=build-bench
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMLXPP_BUILD_BENCHMARKS=ON \
  -DMLXPP_BUILD_TESTS=OFF -DMLXPP_BUILD_EXAMPLES=OFF
cmake --build "$build" -j2
results="$build/results"
mkdir -p "$results"

echo "threads: MLXPP_NUM_THREADS=${MLXPP_NUM_THREADS:-<unset: hardware threads, $(nproc)>}"
for exe in "$build"/benchmarks/bench_*; do
  [ -x "$exe" ] || continue
  name=$(basename "$exe")
  echo
  echo "######## $name"
  # 2>&1: Google Benchmark writes its context (CPU, caches, load average) to stderr.
  "$exe" --benchmark_out="$results/$name.json" --benchmark_out_format=json "$@" 2>&1 \
    | tee "$results/$name.txt"
done

# NumPy: a python3 that has it (Debian's python3-numpy lives in /usr/bin/python3).
py=""
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import numpy' 2>/dev/null; then py=$p; break; fi
done
echo
echo "######## numpy_peer.py"
if [ -z "$py" ]; then
  echo "numpy_peer.py: no python3 with NumPy found (scripts/setup.sh installs python3-numpy)"
  exit 1
fi
ours=()
[ -f "$results/bench_reduce.json" ] && ours=(--ours "$results/bench_reduce.json")
# OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE slow a current NumPy here: unset for this command only.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" benchmarks/cpu/numpy_peer.py "${ours[@]}" \
  | tee "$results/numpy_peer.txt"

# PyTorch CPU: conv2d and softmax beside bench_nn (python3-torch, also in /usr/bin/python3).
echo
echo "######## torch_peer.py"
ours=()
[ -f "$results/bench_nn.json" ] && ours=(--ours "$results/bench_nn.json")
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 benchmarks/cpu/torch_peer.py "${ours[@]}" \
  | tee "$results/torch_peer.txt"

# PyTorch CPU: the MLP training steps beside bench_train.
echo
echo "######## train_torch_peer.py"
ours=()
[ -f "$results/bench_train.json" ] && ours=(--ours "$results/bench_train.json")
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=benchmarks/cpu /usr/bin/python3 \
  benchmarks/cpu/train_torch_peer.py "${ours[@]}" \
  | tee "$results/train_torch_peer.txt"

# PyTorch CPU: one training epoch of the example's CNN and MLP beside bench_epoch.
echo
echo "######## epoch_torch_peer.py"
ours=()
[ -f "$results/bench_epoch.json" ] && ours=(--ours "$results/bench_epoch.json")
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=benchmarks/cpu /usr/bin/python3 \
  benchmarks/cpu/epoch_torch_peer.py "${ours[@]}" \
  | tee "$results/epoch_torch_peer.txt"
