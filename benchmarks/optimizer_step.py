"""One Adam step over the 784-256-128-10 network's weights: minikeras vs torch.optim.Adam.

235,146 float32 parameters in 6 variables. minikeras updates its model's flat
buffer (``apply_flat``, the ``fit`` path); torch steps the same sizes as 6
``Parameter`` tensors with ``torch.optim.Adam`` in its three CPU variants:
default (for-loop), ``foreach=True`` and ``fused=True``. Torch runs once with
1 thread and once with its default thread count. Variants are timed round
robin, one step each in turn, so that load on the machine hits all of them
alike; the table reports the median of many steps. A second table times the
other optimizers against their torch counterparts (``foreach``, 1 thread: the
steadiest torch setting on a shared machine). The load average is printed
first: on a busy 2-core machine torch's 2-thread numbers swing widely.

Run by hand (torch is the ``bench`` extra; CI never runs benchmarks)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/optimizer_step.py

Target (issue 5, CORRECTIONS): minikeras <= 1.0x the faster of torch's default
and ``foreach`` variants; the ``fused`` ratio is reported too.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import numpy as np
import torch

import minikeras as mk
from minikeras.layers.base import FlatBuffer, Variable

SHAPES = [(784, 256), (256,), (256, 128), (128,), (128, 10), (10,)]


def make_ours(opt: mk.optimizers.Optimizer, seed: int = 0) -> tuple[Callable[[], None],
                                                                     FlatBuffer]:
    """A step closure over a model-style flat buffer, and the buffer."""
    rng = np.random.default_rng(seed)
    variables = [Variable(rng.normal(size=s).astype(np.float32) * 0.05, name=f"w{i}")
                 for i, s in enumerate(SHAPES)]
    buf = FlatBuffer(variables, np.float32)
    opt.build(variables)
    grads = (rng.normal(size=buf.size) * 1e-2).astype(np.float32)

    def step() -> None:
        opt.apply_flat(buf.values, buf.grads)

    def refill() -> None:  # backward overwrites the gradients each step; not timed
        np.copyto(buf.grads, grads)

    step.refill = refill  # type: ignore[attr-defined]
    return step, buf


def make_torch(cls: type, seed: int = 0, **kwargs: object) -> Callable[[], None]:
    rng = np.random.default_rng(seed)
    params = [torch.nn.Parameter(torch.from_numpy(rng.normal(size=s).astype(np.float32) * 0.05))
              for s in SHAPES]
    grads = (rng.normal(size=sum(p.numel() for p in params)) * 1e-2).astype(np.float32)
    offset = 0
    for p in params:
        n = p.numel()
        p.grad = torch.from_numpy(grads[offset:offset + n].reshape(p.shape).copy())
        offset += n
    opt = cls(params, **kwargs)

    def step() -> None:
        opt.step()

    step.refill = lambda: None  # type: ignore[attr-defined]
    step.params = params  # type: ignore[attr-defined]
    return step


def race(variants: dict[str, Callable[[], None]], steps: int, warmup: int = 20
         ) -> dict[str, float]:
    """Median seconds per step of each variant, timed round robin."""
    times: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(warmup):
        for f in variants.values():
            f.refill()  # type: ignore[attr-defined]
            f()
    for _ in range(steps):
        for name, f in variants.items():
            f.refill()  # type: ignore[attr-defined]
            t0 = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - t0)
    return {k: float(np.median(v)) for k, v in times.items()}


def check_same_work() -> float:
    """Max relative difference of one step, ours vs torch (eps 1e-12: placement moot)."""
    ours, buf = make_ours(mk.optimizers.Adam(1e-3, epsilon=1e-12))
    theirs = make_torch(torch.optim.Adam, lr=1e-3, eps=1e-12)
    ours.refill()  # type: ignore[attr-defined]
    ours()
    theirs()
    t = np.concatenate([p.detach().numpy().ravel() for p in theirs.params])  # type: ignore
    return float(np.max(np.abs(buf.values - t) / np.maximum(np.abs(t), 1e-3)))


def adam_table(steps: int) -> None:
    default_threads = torch.get_num_threads()
    n = sum(int(np.prod(s)) for s in SHAPES)
    print(f"Adam step, {n:,} float32 parameters in {len(SHAPES)} variables "
          f"(median of {steps} steps, round robin)")
    print(f"max relative difference of one step, ours vs torch: {check_same_work():.1e}")
    print(f"{'torch threads':>13} | {'variant':<22} | {'median us':>9} | ours / variant")
    best_ratio = {}
    for threads in (1, default_threads):
        torch.set_num_threads(threads)
        variants = {
            "minikeras Adam": make_ours(mk.optimizers.Adam())[0],
            "torch Adam (default)": make_torch(torch.optim.Adam),
            "torch Adam foreach": make_torch(torch.optim.Adam, foreach=True),
            "torch Adam fused": make_torch(torch.optim.Adam, fused=True),
        }
        result = race(variants, steps)
        ours = result["minikeras Adam"]
        for name, t in result.items():
            ratio = "" if name.startswith("minikeras") else f"{ours / t:.2f}x"
            print(f"{threads:>13} | {name:<22} | {t * 1e6:9.1f} | {ratio}")
        faster = min(result["torch Adam (default)"], result["torch Adam foreach"])
        best_ratio[threads] = (ours / faster, ours / result["torch Adam fused"])
    torch.set_num_threads(default_threads)
    for threads, (r, fused) in best_ratio.items():
        verdict = "meets" if r <= 1.0 else "MISSES"
        print(f"torch {threads} thread(s): ours / faster of default and foreach = {r:.2f}x "
              f"({verdict} the <= 1.0x target); ours / fused = {fused:.2f}x")


def others_table(steps: int) -> None:
    pairs = {
        "SGD momentum": (mk.optimizers.SGD(0.01, momentum=0.9),
                         (torch.optim.SGD, {"lr": 0.01, "momentum": 0.9})),
        "RMSprop": (mk.optimizers.RMSprop(), (torch.optim.RMSprop, {"lr": 1e-3})),
        "Adagrad": (mk.optimizers.Adagrad(), (torch.optim.Adagrad, {"lr": 1e-3})),
        "Adamax": (mk.optimizers.Adamax(), (torch.optim.Adamax, {})),
        "Nadam": (mk.optimizers.Nadam(), (torch.optim.NAdam, {})),
        "Adadelta": (mk.optimizers.Adadelta(), (torch.optim.Adadelta, {})),
        "AdamW": (mk.optimizers.AdamW(), (torch.optim.AdamW, {})),
        "Lion": (mk.optimizers.Lion(), None),
    }
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    print(f"\nOther optimizers, torch 1 thread, median of {steps} steps")
    print(f"{'optimizer':<13} | {'ours us':>8} | {'torch foreach us':>16} | ours / torch")
    for label, (ours, spec) in pairs.items():
        variants = {"ours": make_ours(ours)[0]}
        if spec is not None:
            variants["torch"] = make_torch(spec[0], foreach=True, **spec[1])
        result = race(variants, steps)
        t = result.get("torch")
        ratio = f"{result['ours'] / t:.2f}x" if t else "(no torch Lion)"
        theirs = f"{t * 1e6:16.1f}" if t else f"{'-':>16}"
        print(f"{label:<13} | {result['ours'] * 1e6:8.1f} | {theirs} | {ratio}")
    torch.set_num_threads(threads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=300, help="timed steps per variant")
    args = parser.parse_args()
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    adam_table(args.steps)
    others_table(max(args.steps // 3, 50))


if __name__ == "__main__":
    main()
