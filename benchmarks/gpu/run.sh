#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs on a machine with a GPU: our benchmarks, then PyTorch CUDA's peer, and prints the
# ratio table (ours / torch) from this one run. Expects the binaries built by
# scripts/device_gpu_build.sh in .gpu/vk/ (or in $1). On the device machine, first unpack
# the Vulkan loader: for f in .gpu/debs/*.deb; do dpkg -x "$f" /; done; ldconfig
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-.gpu/vk}
OUT=${OUT:-/tmp}
: > "$OUT/gpu_results.txt"
for b in "$BIN"/bench_*; do
  [ -x "$b" ] || continue
  echo "== $b"
  "$b" 2>&1 | tee -a "$OUT/gpu_results.txt"
done
if python3 -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
  python3 benchmarks/gpu/torch_peer.py 2>&1 | tee -a "$OUT/gpu_results.txt"
fi
python3 - "$OUT/gpu_results.txt" <<'PY'
import sys
ours, torch = {}, {}
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) >= 4 and p[0] == "RESULT":
        (torch if p[1].startswith("torch_") else ours)[p[1].removeprefix("torch_")] = (float(p[2]), p[3])
print(f"\n{'case':<34} {'ours':>12} {'torch':>12} {'ours/torch':>10}")
for k, (v, unit) in ours.items():
    if k in torch:
        t = torch[k][0]
        # Times: a smaller value is better, so the ratio is torch/ours (speed-up).
        r = t / v if unit == "us" else v / t
        print(f"{k:<34} {v:>10.2f} {unit:<4} {t:>8.2f}   {r:>8.2f}x")
    else:
        print(f"{k:<34} {v:>10.2f} {unit:<4}")
PY
