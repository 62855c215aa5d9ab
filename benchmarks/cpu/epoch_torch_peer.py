#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""PyTorch CPU's figures for bench_epoch's training epochs (the PyTorch peer).

The same models, data and loop as bench_epoch.cpp (examples/fashion_mnist.cpp's): the CNN
conv3x3(16)-ReLU-maxpool2-conv3x3(32)-ReLU-maxpool2-linear(1568->128)-ReLU-linear(10) and
the MLP 784-512-ReLU-10, Adam lr 1e-3, batch 128, mean cross-entropy, on the Fashion-MNIST
training set (the same gzip'd IDX files, read with gzip + numpy; pixels / 255), shuffled
with a fixed seed; 468 steps of: forward, backward, Adam step, loss.item() and the batch's
correct-prediction count. Each model gets --warmup untimed steps on a throwaway copy, then
--repeat timed epochs (fresh model and optimizer each; the median is reported).

The CNN runs in PyTorch's native NCHW layout and in torch.channels_last (--cnn-layout picks
one or both); with both, the faster of the two is the peer.

Threads: torch.set_num_threads(--threads); without --threads, the thread count bench_epoch
recorded in its JSON context (mlxpp_threads) when --ours is given, else 2 (this machine's
cores). With --ours FILE (bench_epoch's --benchmark_out JSON) it prints ours/torch (time
ratio; below 1.00x = ours faster) against the target: <= 0.5x.
"""

import argparse
import gzip
import json
import os
import statistics
import time

import numpy as np
import torch
import torch.nn as tnn

from torch_peer import ours_median

BATCH = 128
LR = 1e-3


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def make_model(kind):
    if kind == "mlp":
        return tnn.Sequential(tnn.Flatten(), tnn.Linear(784, 512), tnn.ReLU(), tnn.Linear(512, 10))
    return tnn.Sequential(
        tnn.Conv2d(1, 16, 3, 1, 1), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Conv2d(16, 32, 3, 1, 1), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
        tnn.Linear(32 * 7 * 7, 128), tnn.ReLU(), tnn.Linear(128, 10))


def train_steps(kind, images, labels, order, steps, channels_last):
    torch.manual_seed(0)
    model = make_model(kind)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    model.train()
    loss_sum = 0.0
    hits_sum = 0
    for s in range(steps):
        idx = order[s * BATCH:(s + 1) * BATCH]
        x = images[idx]
        y = labels[idx]
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        logits = model(x)
        loss = tnn.functional.cross_entropy(logits, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        hits = (logits.argmax(1) == y).sum()
        loss_sum += loss.item()
        hits_sum += hits.item()
    return loss_sum / steps


def epoch_time(kind, images, labels, order, steps, args, channels_last):
    train_steps(kind, images, labels, order, args.warmup, channels_last)  # untimed
    ts, cpu = [], []
    for _ in range(args.repeat):
        c0 = time.process_time()
        t0 = time.perf_counter()
        loss = train_steps(kind, images, labels, order, steps, channels_last)
        ts.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(ts), ts, cpu, loss


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", help="bench_epoch JSON output")
    ap.add_argument("--data", default=os.environ.get("MLXPP_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))
    ap.add_argument("--repeat", type=int, default=1, help="timed epochs per model (median)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--cnn-layout", choices=["nchw", "channels_last", "both"], default="both")
    ap.add_argument("--models", default="cnn,mlp")
    args = ap.parse_args()

    ours = None
    threads = args.threads
    if args.ours:
        with open(args.ours) as f:
            ours = json.load(f)
        if threads is None and "mlxpp_threads" in ours.get("context", {}):
            threads = int(ours["context"]["mlxpp_threads"])
    torch.set_num_threads(threads if threads is not None else 2)

    img_path = os.path.join(args.data, "train-images-idx3-ubyte.gz")
    lab_path = os.path.join(args.data, "train-labels-idx1-ubyte.gz")
    if not (os.path.exists(img_path) and os.path.exists(lab_path)):
        print(f"epoch_torch_peer.py: SKIPPED, no Fashion-MNIST training set in {args.data} "
              "(Debian package dataset-fashion-mnist; scripts/setup.sh)")
        return
    images = torch.from_numpy(read_idx(img_path).astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    labels = torch.from_numpy(read_idx(lab_path).astype(np.int64))
    n = images.shape[0]
    steps = n // BATCH
    order = torch.from_numpy(np.random.default_rng(0).permutation(n))

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; {n} images, "
          f"{steps} steps of batch {BATCH}, Adam {LR}")
    for kind in args.models.split(","):
        layouts = [False]
        if kind == "cnn":
            layouts = {"nchw": [False], "channels_last": [True], "both": [False, True]}[args.cnn_layout]
        best = None
        for cl in layouts:
            before = load_average()
            t, ts, cpu, loss = epoch_time(kind, images, labels, order, steps, args, cl)
            tag = " channels_last" if cl else (" NCHW" if kind == "cnn" else "")
            # Process CPU time / wall time: near the thread count when torch had the cores.
            print(f"{kind}{tag} epoch: torch {t:.2f} s (runs: {', '.join(f'{x:.2f}' for x in ts)} s; "
                  f"{steps * BATCH / t:.0f} images/s; mean loss {loss:.3f}; cpu/wall "
                  f"{statistics.median(c / w for c, w in zip(cpu, ts)):.2f}; load {before} -> {load_average()})")
            best = t if best is None else min(best, t)
        if args.ours:
            o = ours_median(args.ours, f"BM_Epoch/{kind}/iterations:1/real_time")
            if o is not None:
                r = o / best
                print(f"{kind} epoch: ours {o:.2f} s = {r:.2f}x torch   target <= 0.5x: {'PASS' if r <= 0.5 else 'MISS'}")
            else:
                print(f"{kind} epoch: no BM_Epoch/{kind} in {args.ours}")


if __name__ == "__main__":
    main()
