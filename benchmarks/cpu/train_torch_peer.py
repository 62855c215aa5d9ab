#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""PyTorch CPU's figures for bench_train's MLP training steps (the PyTorch peer).

The same models and step as bench_train.cpp: batch 256 of random data, ReLU MLP
784-512-10 and 784-512-512-10, mean cross-entropy, backward, SGD update in place. Median
of --repeat steps after a warm-up, on --threads threads (default 2 = this machine's cores).
With --ours FILE (bench_train's --benchmark_out JSON) it prints ours/torch (time ratio;
below 1.00x = ours faster) against the targets: <= 0.5x.
"""

import argparse
import torch

from torch_peer import median_time, ours_median


def step_time(dims, repeat):
    torch.manual_seed(0)
    x = torch.randn(256, dims[0])
    y = torch.randint(0, dims[-1], (256,))
    params = []
    for i in range(len(dims) - 1):
        s = dims[i] ** -0.5
        params.append(((torch.rand(dims[i], dims[i + 1]) * 2 - 1) * s).requires_grad_())
        params.append(torch.zeros(dims[i + 1], requires_grad=True))

    def step():
        h = x
        for i in range(0, len(params), 2):
            h = torch.addmm(params[i + 1], h, params[i])
            if i + 2 < len(params):
                h = torch.relu(h)
        loss = torch.nn.functional.cross_entropy(h, y)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= 0.01 * p.grad
        return loss

    for _ in range(4):
        step()
    return median_time(step, repeat)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", help="bench_train JSON output")
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for dims, name in [([784, 512, 10], "BM_MlpStep/784-512-10/real_time"),
                       ([784, 512, 512, 10], "BM_MlpStep/784-512-512-10/real_time")]:
        t = step_time(dims, args.repeat)
        label = "-".join(map(str, dims))
        line = f"MLP {label} step: torch {t * 1e3:.2f} ms"
        if args.ours:
            o = ours_median(args.ours, name)
            if o is not None:
                line += f"; ours {o * 1e3:.2f} ms = {o / t:.2f}x torch   target <= 0.5x: {'PASS' if o / t <= 0.5 else 'MISS'}"
        print(line)


if __name__ == "__main__":
    main()
