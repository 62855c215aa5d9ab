#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""PyTorch CUDA peer of benchmarks/gpu/bench_*.cpp: the same cases, timed the same way
(`inner` calls back to back, one synchronize, median per call over `outer` repetitions,
wall clock), printing the same RESULT lines with a torch_ prefix. Run it in the same
command as our binaries (benchmarks/gpu/run.sh) so that the ratios come from one run."""
import statistics
import sys
import time

import torch


def result(name, value, unit, note=""):
    print(f"RESULT torch_{name:<34s} {value:12.4f} {unit:<8s} {note}", flush=True)


def time_ms(fn, inner=10, outer=10, warmup=3):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    t = []
    for _ in range(outer):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        torch.cuda.synchronize()
        t.append((time.perf_counter() - t0) * 1e3 / inner)
    return statistics.median(t)


def elementwise(dev):
    n = 1 << 26
    B = 4.0 * n
    a, b, c = (torch.rand(n, device=dev) - 0.5 for _ in range(3))
    t = time_ms(lambda: a.clone(), 20)
    result("copy_GBps", 2 * B / t * 1e-6, "GB/s", "clone 2^26 fp32")
    t = time_ms(lambda: torch.add(b, c, alpha=3.0), 20)
    result("triad_GBps", 3 * B / t * 1e-6, "GB/s", "add(b, c, alpha=3)")
    t = time_ms(lambda: a * b + c, 20)
    result("a*b+c_GBps", 4 * B / t * 1e-6, "GB/s", "eager: two kernels")
    result("a*b+c_us", t * 1e3, "us", "eager")
    for name, fn in (("exp", torch.exp), ("sin", torch.sin), ("tanh", torch.tanh), ("erf", torch.erf)):
        t = time_ms(lambda: fn(a), 20)
        result(f"{name}_GBps", 2 * B / t * 1e-6, "GB/s", f"{name}, read+write")
    s = torch.zeros(1, device=dev)
    reps = []
    for _ in range(10):
        t0 = time.perf_counter()
        x = s
        for _ in range(1000):
            x = x + 1.0
        torch.cuda.synchronize()
        reps.append((time.perf_counter() - t0) * 1e6 / 1000)
    result("1000_dependent_ops_us_each", statistics.median(reps), "us", "eager, wall per op")
    w = []
    for _ in range(500):
        t0 = time.perf_counter()
        s = s + 1.0
        torch.cuda.synchronize()
        w.append((time.perf_counter() - t0) * 1e6)
    result("one_op_submit_wait_us", statistics.median(w), "us", "add on 1 element + synchronize")
    w = []
    for _ in range(500):
        t0 = time.perf_counter()
        s = s + 1.0
        s.item()
        w.append((time.perf_counter() - t0) * 1e6)
    result("one_op_item_us", statistics.median(w), "us", "add on 1 element + item()")


def reduce_softmax(dev):
    n = 1 << 26
    a = torch.rand(n, device=dev)
    t = time_ms(lambda: a.sum(), 20)
    result("sum_2^26_GBps", 4.0 * n / t * 1e-6, "GB/s", "sum of 2^26 fp32")
    x = torch.randn(8192, 8192, device=dev)
    t = time_ms(lambda: x.sum(dim=1), 20)
    result("row_sum_8192^2_GBps", 4.0 * x.numel() / t * 1e-6, "GB/s", "sum over the last axis")
    t = time_ms(lambda: x.sum(dim=0), 20)
    result("col_sum_8192^2_GBps", 4.0 * x.numel() / t * 1e-6, "GB/s", "sum over the first axis")
    t = time_ms(lambda: torch.softmax(x, dim=-1), 10)
    result("softmax_8192^2_GBps", 2 * 4.0 * x.numel() / t * 1e-6, "GB/s", "read + write")


def matmul(dev):
    torch.backends.cuda.matmul.allow_tf32 = False
    for n in (1024, 2048, 4096):
        A = torch.randn(n, n, device=dev)
        B = torch.randn(n, n, device=dev)
        flops = 2.0 * n ** 3
        inner = max(3, min(50, int(2e12 / flops)))
        t = time_ms(lambda: A @ B, inner)
        result(f"matmul_fp32_{n}_TFLOPs", flops / t * 1e-9, "TFLOP/s", "TF32 off")
        Ah, Bh = A.half(), B.half()
        t = time_ms(lambda: Ah @ Bh, inner)
        result(f"matmul_fp16_{n}_TFLOPs", flops / t * 1e-9, "TFLOP/s", "fp16 in/out, fp32 accumulate")


def main():
    dev = torch.device("cuda")
    p = torch.cuda.get_device_properties(0)
    print(f"torch {torch.__version__} device {p.name}", flush=True)
    which = sys.argv[1:] or ["elementwise", "reduce", "matmul"]
    if "elementwise" in which:
        elementwise(dev)
    if "reduce" in which:
        reduce_softmax(dev)
    if "matmul" in which:
        matmul(dev)


if __name__ == "__main__":
    main()
