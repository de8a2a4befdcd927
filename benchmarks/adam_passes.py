"""Can Adam's 12 NumPy passes get cheaper inside a W2 step? (issue 7, sixth round)

Adam is a third of a two-thread W2 epoch (560 us of 1,670 per batch), all of it on
one core while OpenBLAS's second thread spins between products. Each variant below
runs the W2 network's eight products (forward, backward with dW1) and then one Adam
step over the 235,146-float buffer, 469 times (one epoch), interleaved round by round;
the time reported is Adam's alone, summed over the epoch:

- ``passes``: minikeras's rule, 12 in-place NumPy passes over four flat arrays.
- ``gemv``: the two linear updates (``m = b1 m + (1 - b1) g`` and
  ``v = b2 v + (1 - b2) g^2``) as one BLAS ``gemv`` each over two stacked rows,
  ``[b1, 1 - b1] @ [m; g]``, so that NumPy's own OpenBLAS, whose second thread is
  spinning anyway, does them on both cores. A gemv cannot write over its input,
  so ``m`` and ``v`` alternate between two rows of a (3, N) array.
- ``blocks-K``: the 12 passes on K consecutive blocks of the buffer (each block's
  four arrays stay in the 2 MB L2 across its 12 passes).

Run by hand::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/adam_passes.py [--rounds 8]

Findings (benchmarks/README.md, "Sixth round"): alone, right after a product, one
gemv takes 107 us against 186 us for the three passes it replaces, but inside the
loop ``gemv`` is 1.07-1.11x slower than ``passes``; blocks are 0.93-1.12x (noise).
Not built into minikeras.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable

import numpy as np

SIZES = [784, 256, 128, 10]
BATCH, STEPS = 128, 469
B1, B2, EPS, LR = 0.9, 0.999, 1e-7, 1e-3
F32 = np.float32


class Products:
    """The W2 step's eight matrix products on fixed arrays (the cache traffic Adam meets)."""

    def __init__(self, rng: np.random.Generator) -> None:
        def r(*shape: int) -> np.ndarray:
            return rng.standard_normal(shape, dtype=F32)
        self.x = r(BATCH, SIZES[0])
        self.w = [r(a, b) for a, b in zip(SIZES[:-1], SIZES[1:])]
        self.h = [np.empty((BATCH, b), F32) for b in SIZES[1:]]
        self.d = [np.empty((BATCH, b), F32) for b in SIZES[1:-1]]
        self.g = [np.empty((a, b), F32) for a, b in zip(SIZES[:-1], SIZES[1:])]

    def __call__(self) -> None:
        (w1, w2, w3), (h1, h2, h3), (d1, d2), (g1, g2, g3) = self.w, self.h, self.d, self.g
        np.matmul(self.x, w1, out=h1)
        np.matmul(h1, w2, out=h2)
        np.matmul(h2, w3, out=h3)
        np.matmul(h2.T, h3, out=g3)
        np.matmul(h3, w3.T, out=d2)
        np.matmul(h1.T, d2, out=g2)
        np.matmul(d2, w2.T, out=d1)
        np.matmul(self.x.T, d1, out=g1)


def alpha(step: int) -> float:
    return LR * math.sqrt(1.0 - B2**step) / (1.0 - B1**step)


def passes_rule(w: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, step: int) -> None:
    """minikeras's Adam.update, verbatim in its passes."""
    np.subtract(m, g, out=m)
    np.multiply(m, B1, out=m)
    np.add(m, g, out=m)
    np.multiply(v, B2, out=v)
    np.square(g, out=g)
    np.multiply(g, 1.0 - B2, out=g)
    np.add(v, g, out=v)
    np.sqrt(v, out=g)
    np.add(g, EPS, out=g)
    np.divide(m, g, out=g)
    np.multiply(g, alpha(step), out=g)
    np.subtract(w, g, out=w)


Variant = tuple[Callable[[int], None], np.ndarray]  # (one Adam step, its gradient buffer)


def make_passes(n: int, w0: np.ndarray, blocks: int = 1) -> Variant:
    w, g, m, v = w0.copy(), np.empty(n, F32), np.zeros(n, F32), np.zeros(n, F32)
    cut = np.linspace(0, n, blocks + 1).astype(int)
    parts = [(w[a:b], g[a:b], m[a:b], v[a:b]) for a, b in zip(cut[:-1], cut[1:])]

    def step(t: int) -> None:
        for part in parts:
            passes_rule(*part, t)
    return step, g


def make_gemv(n: int, w0: np.ndarray) -> Variant:
    w = w0.copy()
    ms, vs = np.zeros((3, n), F32), np.zeros((3, n), F32)  # rows: [old/new, g or g^2, new/old]
    cm = (np.array([B1, 1 - B1], F32), np.array([1 - B1, B1], F32))
    cv = (np.array([B2, 1 - B2], F32), np.array([1 - B2, B2], F32))
    parity = [0]

    def step(t: int) -> None:
        g = ms[1]
        p = parity[0] = parity[0] ^ 1
        np.square(g, out=vs[1])
        if p:  # read rows 0-1, write row 2
            np.matmul(cv[0], vs[0:2], out=vs[2])
            np.matmul(cm[0], ms[0:2], out=ms[2])
            m, v = ms[2], vs[2]
        else:  # read rows 1-2, write row 0
            np.matmul(cv[1], vs[1:3], out=vs[0])
            np.matmul(cm[1], ms[1:3], out=ms[0])
            m, v = ms[0], vs[0]
        s = g  # the gradient row is scratch once both moments are updated
        np.sqrt(v, out=s)
        np.add(s, EPS, out=s)
        np.divide(m, s, out=s)
        np.multiply(s, alpha(t), out=s)
        np.subtract(w, s, out=w)
    return step, ms[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=8)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n = sum(a * b + b for a, b in zip(SIZES[:-1], SIZES[1:]))
    w0 = rng.standard_normal(n, dtype=F32) * 0.05
    grad = rng.standard_normal(n, dtype=F32) * 0.01
    products = Products(rng)
    variants = {"passes": make_passes(n, w0), "gemv": make_gemv(n, w0)}
    variants.update({f"blocks-{k}": make_passes(n, w0, k) for k in (2, 4, 8)})
    times: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(args.rounds):
        for name, (step, gbuf) in variants.items():
            spent = 0.0
            for t in range(1, STEPS + 1):
                products()
                gbuf[...] = grad
                t0 = time.perf_counter()
                step(t)
                spent += time.perf_counter() - t0
            times[name].append(spent)
    print(f"Adam's time per W2 epoch ({STEPS} steps after the products), {args.rounds} rounds")
    base = float(np.median(times["passes"]))
    for name, ts in times.items():
        med = float(np.median(ts))
        print(f"  {name:<9} median {med * 1e3:7.1f} ms  min {min(ts) * 1e3:7.1f} ms  "
              f"{med / base:5.2f}x passes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
