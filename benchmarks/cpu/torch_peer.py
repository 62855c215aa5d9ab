#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""PyTorch CPU's figures for the ops that bench_nn measures (the PyTorch peer).

  softmax over the rows of a 4096x4096 float32 matrix (torch.softmax(x, -1));
  conv2d 3x3, batch 32, 56x56, 64 -> 64 channels, padding 1 (torch.nn.functional.conv2d on
  NCHW, PyTorch's native layout; channels_last memory format is also timed and the faster
  of the two is the peer).

Each is the median of --repeat timed calls after a warm-up, on torch.get_num_threads()
threads (set with --threads, default 2 = this machine's cores). With --ours FILE
(bench_nn's --benchmark_out JSON) it prints ours/torch (time ratio; below 1.00x = ours
faster) and the targets: softmax >= 3x PyTorch's speed, conv2d >= 1.0x.
"""

import argparse
import json
import statistics
import time

import torch


def median_time(fn, repeat):
    fn()
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def ours_median(path, name):
    with open(path) as f:
        data = json.load(f)
    unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    med = [b for b in data["benchmarks"] if b.get("run_name") == name and b.get("aggregate_name") == "median"]
    runs = [b for b in data["benchmarks"] if b.get("run_name") == name and b.get("run_type") == "iteration"]
    pick = med or runs
    if not pick:
        return None
    vals = sorted(b["real_time"] * unit[b["time_unit"]] for b in pick)
    return vals[len(vals) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", help="bench_nn JSON output")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    x = torch.rand(4096, 4096) * 8 - 4
    t_softmax = median_time(lambda: torch.softmax(x, -1), args.repeat)

    inp = torch.rand(32, 64, 56, 56) * 2 - 1
    w = (torch.rand(64, 64, 3, 3) * 2 - 1) * 0.1
    with torch.no_grad():
        t_nchw = median_time(lambda: torch.nn.functional.conv2d(inp, w, padding=1), args.repeat)
        inp_cl = inp.to(memory_format=torch.channels_last)
        w_cl = w.to(memory_format=torch.channels_last)
        t_cl = median_time(lambda: torch.nn.functional.conv2d(inp_cl, w_cl, padding=1), args.repeat)
    t_conv = min(t_nchw, t_cl)
    flops = 2.0 * 32 * 56 * 56 * 64 * 64 * 9

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, mkldnn: {torch.backends.mkldnn.is_available()}")
    print(f"softmax rows of 4096x4096: torch {t_softmax * 1e3:.2f} ms")
    print(f"conv2d 3x3 32x56x56 64->64: torch {t_conv * 1e3:.2f} ms ({flops / t_conv / 1e9:.0f} GFLOP/s; "
          f"NCHW {t_nchw * 1e3:.2f} ms, channels_last {t_cl * 1e3:.2f} ms)")
    if args.ours:
        for label, name, t, target in [
            ("softmax", "BM_Softmax/4096", t_softmax, "speed >= 3x torch (ratio <= 0.33x)"),
            ("conv2d", "BM_Conv2d/3x3_32x56x56_64to64", t_conv, "speed >= 1.0x torch (ratio <= 1.00x)"),
        ]:
            o = ours_median(args.ours, name)
            if o is None:
                print(f"{label}: no '{name}' in {args.ours}")
                continue
            limit = 1 / 3 if label == "softmax" else 1.0
            ok = o / t <= limit
            print(f"{label}: ours {o * 1e3:.2f} ms / torch {t * 1e3:.2f} ms = {o / t:.2f}x   target {target}: "
                  f"{'PASS' if ok else 'MISS'}")


if __name__ == "__main__":
    main()
