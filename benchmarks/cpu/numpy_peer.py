#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""NumPy's figures for the reductions that bench_reduce measures (the NumPy peer).

Measures with timeit (best of --repeat runs of --number calls each) on the same shapes:
  sum of 1e7 float32, max of 1e7, sum(a*b) of 1e7 (NumPy materialises a*b),
  sum(axis=0) and sum(axis=1) of a 4096x4096 float32 matrix,
and prints time and GB/s (bytes read / time, the convention bench_reduce uses).

With --ours FILE (bench_reduce's --benchmark_out JSON) it also prints ours/NumPy: the time
ratio (below 1.00x = ours faster) and the speedup (NumPy time / ours time), with the
target "axis sums >= 1.2x NumPy". Ours is the median of its repetitions; NumPy is best-of-N,
which favours NumPy slightly (stated in the output).

Run it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (scripts/bench.sh does): they slow a
current NumPy on this machine. These reductions do not call BLAS, but the import does load it.
"""

import argparse
import json
import os
import platform
import sys
import timeit

import numpy as np

N = 10_000_000
ROWS = COLS = 4096

# name in bench_reduce, label, bytes read
CASES = [
    ("BM_Sum/10000000", "sum(a) n=1e7", 4 * N),
    ("BM_Max/10000000", "max(a) n=1e7", 4 * N),
    ("BM_SumMul/10000000", "sum(a*b) n=1e7", 8 * N),
    ("BM_SumAxis0/4096", "sum(m, axis=0) 4096x4096", 4 * ROWS * COLS),
    ("BM_SumAxis1/4096", "sum(m, axis=1) 4096x4096", 4 * ROWS * COLS),
]
AXIS_CASES = {"BM_SumAxis0/4096", "BM_SumAxis1/4096"}


def fmt_time(s):
    if s < 1e-6:
        return f"{s * 1e9:.0f} ns"
    if s < 1e-3:
        return f"{s * 1e6:.2f} us"
    return f"{s * 1e3:.2f} ms"


def measure(number, repeat):
    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, N).astype(np.float32)
    b = rng.uniform(-1, 1, N).astype(np.float32)
    m = rng.uniform(-1, 1, (ROWS, COLS)).astype(np.float32)
    fns = {
        "BM_Sum/10000000": lambda: a.sum(),
        "BM_Max/10000000": lambda: a.max(),
        "BM_SumMul/10000000": lambda: (a * b).sum(),
        "BM_SumAxis0/4096": lambda: m.sum(axis=0),
        "BM_SumAxis1/4096": lambda: m.sum(axis=1),
    }
    out = {}
    for name, fn in fns.items():
        fn()  # warm up
        t = timeit.repeat(fn, number=number, repeat=repeat)
        out[name] = min(t) / number
    return out


def ours_from_json(path):
    """Median real time (seconds) per run name from a Google Benchmark JSON file."""
    with open(path) as f:
        data = json.load(f)
    unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    iters, medians = {}, {}
    for b in data.get("benchmarks", []):
        name = b.get("run_name", b["name"])
        if name.endswith("/real_time"):  # in case a program used UseRealTime()
            name = name[: -len("/real_time")]
        if b.get("error_occurred"):
            continue
        s = b["real_time"] * unit[b.get("time_unit", "ns")]
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[name] = s
        else:
            iters.setdefault(name, []).append(s)
    res = dict(medians)
    for name, v in iters.items():
        if name not in res:
            v = sorted(v)
            k = len(v) // 2
            res[name] = v[k] if len(v) % 2 else 0.5 * (v[k - 1] + v[k])
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--number", type=int, default=10, help="calls per timing (default 10)")
    ap.add_argument("--repeat", type=int, default=7, help="timings; the best is kept (default 7)")
    ap.add_argument("--ours", help="bench_reduce --benchmark_out JSON: print ours/NumPy ratios")
    args = ap.parse_args()

    print(f"==== NumPy {np.__version__} (Python {platform.python_version()}), best of "
          f"{args.repeat} x {args.number} calls; single-threaded reductions ====")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            print(f"warning: {var}={os.environ[var]} is set (unset it for a fair NumPy)")
    res = measure(args.number, args.repeat)
    for name, label, nbytes in CASES:
        s = res[name]
        print(f"  {label:<26} {fmt_time(s):>10}  {nbytes / s / 1e9:6.1f} GB/s")

    if not args.ours:
        return 0
    ours = ours_from_json(args.ours)
    print("\n==== ours / NumPy (time ratio: below 1.00x = ours faster; speedup = NumPy time / "
          "ours time) ====")
    print("ours: median of bench_reduce's repetitions; NumPy: best of N (slightly favours NumPy)")
    passed = missed = 0
    for name, label, nbytes in CASES:
        if name not in ours:
            continue
        o, n = ours[name], res[name]
        line = (f"  {label:<26} mlx {fmt_time(o):>10} ({nbytes / o / 1e9:5.1f} GB/s)  NumPy "
                f"{fmt_time(n):>10} ({nbytes / n / 1e9:5.1f} GB/s)  ours/NumPy {o / n:.2f}x  "
                f"speedup {n / o:.2f}x")
        if name in AXIS_CASES:
            ok = n / o >= 1.2
            line += f"  target >= 1.2x {'PASS' if ok else 'MISS'}"
            passed, missed = passed + ok, missed + (not ok)
        print(line)
    print(f"targets: {passed} pass, {missed} miss")
    return 0


if __name__ == "__main__":
    sys.exit(main())
