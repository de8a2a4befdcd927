"""Would a second Python thread of our own beat OpenBLAS's threads? (issue 7, fifth round)

Three measurements on the W2 network (784-256-128-10, float32), each interleaved
round by round so that load on the machine hits all variants alike:

1. ``gemm``: the second core's worth. One 64 x 784 @ 784 x 256 product in a
   loop, alone and on two threads at once (OpenBLAS at one thread): the
   throughput of two against one. 2.0x on two free cores.
2. ``train``: one W2 epoch of a plain NumPy training step (forward, fused
   softmax cross-entropy gradient, backward, Adam), as ``fit`` does it, three ways:
   ``one``: one thread, OpenBLAS at its default threads; ``two``: each half of
   every batch on its own Python thread (OpenBLAS at one thread), the gradients
   summed and Adam split in two halves of the flat buffer, one hand-over by raw
   lock each way per phase; ``free``: the same work on two threads that never
   wait for each other (the ceiling of ``two``; its numbers are not a valid fit).
3. ``predict``: 60,000 rows in 1,913-row chunks, on one thread (default BLAS
   threads) and on two threads taking alternate chunks (OpenBLAS at one thread).

Run by hand (``bench`` extra, for threadpoolctl)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/two_threads.py [--rounds 5]

Findings (benchmarks/README.md, "Fifth round"): on the 2-vCPU test machine the
``gemm`` ratio swings between 1.05x and 2.5x within minutes, so the second vCPU is
not a steady core. ``two`` beat ``one`` by 1.27x in one calm spell and lost by up
to 7% in others; a split step meets its other half three times per batch and
waits for every slow patch of either vCPU. Not built into minikeras.
"""

from __future__ import annotations

import _thread
import argparse
import os
import threading
import time

import numpy as np
from threadpoolctl import threadpool_limits

SIZES = [784, 256, 128, 10]
ROWS, BATCH, CHUNK = 60_000, 128, 1_913


def _views(buf: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    out, o = [], 0
    for a, b in zip(SIZES[:-1], SIZES[1:]):
        out.append((buf[o:o + a * b].reshape(a, b), buf[o + a * b:o + a * b + b]))
        o += a * b + b
    return out


class Net:
    """Weights, Adam slots and one gradient buffer per thread, all flat."""

    def __init__(self, rng: np.random.Generator) -> None:
        n = sum(a * b + b for a, b in zip(SIZES[:-1], SIZES[1:]))
        self.p = (rng.standard_normal(n, dtype=np.float32) * 0.05)
        self.m, self.v = np.zeros_like(self.p), np.zeros_like(self.p)
        self.w = _views(self.p)
        self.g = [np.zeros_like(self.p) for _ in range(2)]
        self.gv = [_views(g) for g in self.g]

    def half_step(self, k: int, x: np.ndarray, y: np.ndarray, scale: float) -> None:
        """Forward, softmax cross-entropy gradient and backward into gradient buffer k."""
        hs = [x]
        for i, (w, b) in enumerate(self.w):
            z = hs[-1] @ w
            z += b
            if i < 2:
                np.maximum(z, 0, out=z)
            hs.append(z)
        z = hs[-1]
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        z[np.arange(len(y)), y] -= 1
        z *= scale
        g = z
        for i in (2, 1, 0):
            gw, gb = self.gv[k][i]
            np.matmul(hs[i].T, g, out=gw)
            np.add.reduce(g, axis=0, out=gb)
            if i:
                g = g @ self.w[i][0].T
                g *= hs[i] > 0

    def adam(self, lo: int, hi: int, t: int, add: bool) -> None:
        """Keras's Adam on [lo, hi) of the flat buffer, after summing the two gradients."""
        g = self.g[0][lo:hi]
        if add:
            g += self.g[1][lo:hi]
        m, v, p = self.m[lo:hi], self.v[lo:hi], self.p[lo:hi]
        alpha = 1e-3 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        np.subtract(m, g, out=m)
        np.multiply(m, 0.9, out=m)
        np.add(m, g, out=m)
        np.square(g, out=g)
        np.subtract(g, v, out=g)
        np.multiply(g, 0.001, out=g)
        np.add(v, g, out=v)
        np.sqrt(v, out=g)
        np.add(g, 1e-7, out=g)
        np.divide(m, g, out=g)
        np.multiply(g, alpha, out=g)
        np.subtract(p, g, out=p)


def train_one(net: Net, x: np.ndarray, y: np.ndarray, perm: np.ndarray) -> float:
    xb = np.empty((BATCH, x.shape[1]), np.float32)
    start = time.perf_counter()
    for s in range(ROWS // BATCH):
        idx = perm[s * BATCH:(s + 1) * BATCH]
        np.take(x, idx, axis=0, out=xb)
        net.half_step(0, xb, y[idx], 1 / BATCH)
        net.adam(0, net.p.size, s + 1, add=False)
    return time.perf_counter() - start


def train_two(net: Net, x: np.ndarray, y: np.ndarray, perm: np.ndarray, free: bool) -> float:
    """Each half-batch on its own thread; ``free``: no waiting (the ceiling)."""
    half, cut = BATCH // 2, (net.p.size // 2) & ~15
    xbs = [np.empty((half, x.shape[1]), np.float32) for _ in range(2)]
    go, done = _thread.allocate_lock(), _thread.allocate_lock()
    go.acquire()
    done.acquire()
    steps = ROWS // BATCH

    def part(k: int, s: int) -> None:
        idx = perm[s * BATCH + k * half:s * BATCH + (k + 1) * half]
        np.take(x, idx, axis=0, out=xbs[k])
        net.half_step(k, xbs[k], y[idx], 1 / BATCH)

    def worker() -> None:
        for s in range(steps):
            if free:
                part(1, s)
                net.adam(cut, net.p.size, s + 1, add=True)
                continue
            go.acquire()
            part(1, s)
            done.release()
            go.acquire()
            net.adam(cut, net.p.size, s + 1, add=True)
            done.release()

    with threadpool_limits(1, "blas"):
        thread = threading.Thread(target=worker, daemon=True)
        start = time.perf_counter()
        thread.start()
        for s in range(steps):
            if free:
                part(0, s)
                net.adam(0, cut, s + 1, add=True)
                continue
            go.release()
            part(0, s)
            done.acquire()
            go.release()
            net.adam(0, cut, s + 1, add=True)
            done.acquire()
        thread.join()
        return time.perf_counter() - start


def predict(net: Net, x: np.ndarray, out: np.ndarray, two: bool) -> float:
    def chunks(first: int, every: int) -> None:
        for lo in range(first * CHUNK, ROWS, every * CHUNK):
            h = x[lo:lo + CHUNK]
            for i, (w, b) in enumerate(net.w):
                h = h @ w
                h += b
                if i < 2:
                    np.maximum(h, 0, out=h)
            h -= h.max(axis=1, keepdims=True)
            np.exp(h, out=h)
            h /= h.sum(axis=1, keepdims=True)
            out[lo:lo + CHUNK] = h

    start = time.perf_counter()
    if not two:
        chunks(0, 1)
        return time.perf_counter() - start
    with threadpool_limits(1, "blas"):
        thread = threading.Thread(target=chunks, args=(1, 2))
        thread.start()
        chunks(0, 2)
        thread.join()
    return time.perf_counter() - start


def gemm_ratio(net: Net, x: np.ndarray, n: int = 2000) -> float:
    a, w = x[:64], net.w[0][0]

    def loop(times: list[float]) -> None:
        o = np.empty((64, w.shape[1]), np.float32)
        start = time.perf_counter()
        for _ in range(n):
            np.matmul(a, w, out=o)
        times.append(time.perf_counter() - start)

    with threadpool_limits(1, "blas"):
        alone: list[float] = []
        loop(alone)
        both: list[float] = []
        threads = [threading.Thread(target=loop, args=(both,)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return 2 * alone[0] / max(both)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((ROWS, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], ROWS)
    out = np.empty((ROWS, SIZES[-1]), np.float32)
    print(f"load average {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs")
    times: dict[str, list[float]] = {k: [] for k in
                                     ("gemm x", "train one", "train two", "train free",
                                      "predict one", "predict two")}
    for r in range(args.rounds):
        times["gemm x"].append(gemm_ratio(Net(rng), x))
        for name in ("one", "two", "free"):
            net, perm = Net(rng), rng.permutation(ROWS)
            times[f"train {name}"].append(
                train_one(net, x, y, perm) if name == "one"
                else train_two(net, x, y, perm, free=name == "free"))
        net = Net(rng)
        times["predict one"].append(predict(net, x, out, two=False))
        times["predict two"].append(predict(net, x, out, two=True))
        print(f"round {r + 1}: " + ", ".join(
            f"{k} {v[-1]:.2f}" if k == "gemm x" else f"{k} {v[-1] * 1e3:.0f} ms"
            for k, v in times.items()), flush=True)
    med = {k: float(np.median(v)) for k, v in times.items()}
    print(f"medians: two threads' GEMM throughput {med['gemm x']:.2f}x one; "
          f"train one {med['train one'] * 1e3:.0f} ms, two {med['train two'] * 1e3:.0f} ms "
          f"({med['train one'] / med['train two']:.2f}x faster), free "
          f"{med['train free'] * 1e3:.0f} ms; predict one {med['predict one'] * 1e3:.0f} ms, "
          f"two {med['predict two'] * 1e3:.0f} ms "
          f"({med['predict one'] / med['predict two']:.2f}x faster)")


if __name__ == "__main__":
    main()
