"""Where minikeras's training time goes, per batch, on W1 and W2.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/profile_hot_path.py [--quick]

Three views, written to ``benchmarks/results/profile.md`` (and printed):

1. Phases: ``fit`` with timers wrapped around data gathering, forward, loss value and
   gradient, backward, the optimizer step, the loss tracker and the metrics; the rest
   of the epoch is the fit loop itself (iterator, callbacks, glue). Each phase is
   also split into its matrix products (timed alone, same shapes) and the rest.
2. Micro-benchmarks of single calls on one batch (microseconds per call), for the
   savings estimates in README.md.
3. cProfile of a plain fit, the top functions by own time (``profile_w1.txt``,
   ``profile_w2.txt``).

It reads minikeras internals (``_forward``, ``optimizer.apply_flat`` ...); a phase
whose hook no longer exists is reported as "n/a" instead of failing.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(BENCH.parent))

import _common as C  # noqa: E402
import numpy as np  # noqa: E402
from peers import Gemm, KerasLike  # noqa: E402

#: The clock every timing here reads: process CPU time when BLAS runs one thread (load
#: from other processes then barely moves it), wall time otherwise (set in main()).
CLOCK = time.perf_counter


class PhaseTimer:
    """Wrap callables so that each call adds its wall time to a named phase."""

    def __init__(self) -> None:
        self.total: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._undo: list[tuple[Any, str, Any, bool]] = []

    def wrap(self, owner: Any, attr: str, phase: str) -> bool:
        if not hasattr(owner, attr):
            return False
        original = getattr(owner, attr)
        had_own = attr in getattr(owner, "__dict__", {})
        total, calls = self.total, self.calls
        clock = CLOCK

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = clock()
            try:
                return original(*args, **kwargs)
            finally:
                total[phase] += clock() - t0
                calls[phase] += 1

        setattr(owner, attr, timed)
        self._undo.append((owner, attr, original, had_own))
        return True

    def restore(self) -> None:
        for owner, attr, original, had_own in reversed(self._undo):
            if had_own:
                setattr(owner, attr, original)
            else:
                delattr(owner, attr)
        self._undo.clear()


def build(net: C.NetSpec, x: np.ndarray, y: np.ndarray) -> tuple[KerasLike, Any]:
    peer = KerasLike("minikeras")
    peer.setup()
    weights = C.initial_weights(net)
    model = peer.build(net, weights, x, y)
    peer.fit(model, x[:20 * net.batch_size], y[:20 * net.batch_size], 1)
    return peer, model


def epoch_time(peer: KerasLike, model: Any, x: np.ndarray, y: np.ndarray, epochs: int,
               repeats: int) -> float:
    """The fastest of ``repeats`` fits (load from other processes only ever adds time)."""
    out = []
    for _ in range(repeats):
        t0 = CLOCK()
        peer.fit(model, x, y, epochs)
        out.append((CLOCK() - t0) / epochs)
    return min(out)


def phases(peer: KerasLike, model: Any, x: np.ndarray, y: np.ndarray, epochs: int
           ) -> tuple[dict[str, float], float, int]:
    """Seconds per epoch in each phase, the instrumented epoch time, and batches per epoch."""
    import minikeras.data as mdata
    import minikeras.models.model as mmodel

    pt = PhaseTimer()
    pt.wrap(mdata.ArraySource, "batch_at", "data gathering (batch_at)")
    pt.wrap(model, "_forward", "forward")
    pt.wrap(mmodel, "fused_value_and_grad", "loss value + grad (fused)")
    pt.wrap(model._loss, "value_and_grad", "loss value + grad (unfused)")
    pt.wrap(model, "_backward", "backward")
    pt.wrap(model.optimizer, "apply_flat", "optimizer step")
    pt.wrap(model._loss_tracker, "add", "loss tracker")
    pt.wrap(model, "_update_metrics", "metrics")
    try:
        t0 = CLOCK()
        peer.fit(model, x, y, epochs)
        wall = (CLOCK() - t0) / epochs
    finally:
        pt.restore()
    per_epoch = {k: v / epochs for k, v in pt.total.items()}
    batches = pt.calls.get("forward", 0) // epochs
    return per_epoch, wall, batches


def wrapper_cost(number: int = 20000) -> float:
    """Seconds one PhaseTimer wrapper adds to a call (subtracted from the phases)."""
    class Box:
        def f(self) -> None:
            return None

    box = Box()
    plain = per_call(box.f, number)
    pt = PhaseTimer()
    pt.wrap(box, "f", "x")
    wrapped = per_call(box.f, number)
    pt.restore()
    return max(0.0, (wrapped - plain) * 1e-6)


def gemm_split(net: C.NetSpec, x: np.ndarray, repeats: int) -> dict[str, float]:
    """Seconds per epoch of the forward products and of the backward products, alone."""
    g = Gemm()
    state = g.build(net, C.initial_weights(net), x, None)
    w = state["w"]
    layers = len(w)
    bs = net.batch_size
    fwd, bwd = [], []
    for _ in range(repeats):
        tf = tb = 0.0
        for start in range(0, x.shape[0], bs):
            xb = x[start:start + bs]
            acts, grads, kgrads = g._buffers(state, xb.shape[0])
            t0 = CLOCK()
            h = xb
            for j in range(layers):
                np.matmul(h, w[j], out=acts[j])
                h = acts[j]
            t1 = CLOCK()
            gz = acts[-1]
            for j in range(layers - 1, -1, -1):
                below = xb if j == 0 else acts[j - 1]
                np.matmul(below.T, gz, out=kgrads[j])
                if j > 0:
                    np.matmul(gz, w[j].T, out=grads[j - 1])
                    gz = grads[j - 1]
            t2 = CLOCK()
            tf += t1 - t0
            tb += t2 - t1
        fwd.append(tf)
        bwd.append(tb)
    best = min(range(repeats), key=lambda i: fwd[i] + bwd[i])
    return {"forward": fwd[best], "backward": bwd[best]}


def per_call(fn: Any, number: int, repeats: int = 5) -> float:
    """Microseconds per call of ``fn()``: the fastest of ``repeats`` timings."""
    out = []
    for _ in range(repeats):
        t0 = CLOCK()
        for _ in range(number):
            fn()
        out.append((CLOCK() - t0) / number * 1e6)
    return min(out)


def micro(model: Any, net: C.NetSpec, x: np.ndarray, y: np.ndarray, number: int
          ) -> list[tuple[str, float]]:
    """Single calls on one batch, in microseconds."""
    import minikeras.models.model as mmodel
    from minikeras.data import ArraySource

    bs = net.batch_size
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(x))[:bs]
    src = ArraySource(x, y, batch_size=bs, shuffle=True, dtype=np.float32,
                      y_dtype=None if not net.binary else np.float32)
    xb, yb, _ = src.batch_at(idx)
    xb, yb = xb.copy(), np.array(yb, copy=True)
    out: list[tuple[str, float]] = []
    out.append(("ArraySource.batch_at(idx) (gather x, y)", per_call(lambda: src.batch_at(idx),
                                                                      number)))
    out.append(("x[idx] fancy-index (NumPy, allocates)", per_call(lambda: x[idx], number)))
    out.append(("model._forward(xb, training=True)",
                per_call(lambda: model._forward(xb, training=True), number)))
    yp = model._forward(xb, training=True)
    if model._fused is not None:
        out.append(("fused_value_and_grad(loss, ...)", per_call(
            lambda: mmodel.fused_value_and_grad(model._loss, model._fused, yb, yp, None), number)))
        _, g = mmodel.fused_value_and_grad(model._loss, model._fused, yb, yp, None)
        out.append(("  of which loss.prepare", per_call(lambda: model._loss.prepare(yb, yp),
                                                       number)))
        t, p = model._loss.prepare(yb, yp)
        out.append(("  of which loss.call (values)", per_call(lambda: model._loss.call(t, p),
                                                             number)))
        vals = model._loss.call(t, p)
        out.append(("  of which loss.reduce", per_call(lambda: model._loss.reduce(vals, None),
                                                      number)))
        out.append(("  of which the fused gradient", per_call(
            lambda: model._fused(model._loss, t, p), number)))
        out.append(("model._backward(g, from_z=True)", per_call(
            lambda: model._backward(g.copy(), from_z=True), number)))
    # An optimizer may use the gradient buffer as scratch: each call gets a fresh copy of
    # one real gradient (repeating a step on its own output would drift into subnormals).
    flat = model._flat
    opt = model.optimizer
    g0 = flat.grads.copy()
    values = flat.values.copy()
    work = np.empty_like(g0)
    slots = {n: opt._slots[n].copy() for n, _ in opt.slots}
    step = int(opt.iterations.value) + 1
    copy_us = per_call(lambda: np.copyto(work, g0), number)

    def apply() -> None:
        np.copyto(flat.grads, g0)
        opt.apply_flat(flat.values, flat.grads, None)

    def update() -> None:
        np.copyto(work, g0)
        opt.update(values, work, C.LR, slots, step)

    out.append((f"optimizer.apply_flat ({flat.values.size:,} params)",
                per_call(apply, number) - copy_us))
    out.append(("  the update rule alone (opt.update on the whole buffer)",
                per_call(update, number) - copy_us))
    out.append(("  one NumPy pass over the buffer (a copy)", copy_us))
    out.append(("model._loss_tracker.add", per_call(lambda: model._loss_tracker.add(1.0, bs),
                                                     number)))
    out.append(("model._update_metrics(yb, y_pred, None)", per_call(
        lambda: model._update_metrics(yb, yp, None), number)))
    a = np.ones((bs, 16), np.float32)
    b = np.ones((16, 8), np.float32)
    o = np.empty((bs, 8), np.float32)
    out.append(("reference: tiny np.matmul(out=) call", per_call(lambda: np.matmul(a, b, out=o),
                                                                number)))
    out.append(("reference: tiny ufunc np.add(out=) call", per_call(
        lambda: np.add(o, 1.0, out=o), number)))
    return out


def cprofile_top(peer: KerasLike, model: Any, x: np.ndarray, y: np.ndarray, epochs: int,
                 path: Path, top: int = 25) -> str:
    prof = cProfile.Profile()
    prof.enable()
    peer.fit(model, x, y, epochs)
    prof.disable()
    s = io.StringIO()
    pstats.Stats(prof, stream=s).strip_dirs().sort_stats("tottime").print_stats(top)
    text = s.getvalue()
    path.write_text(text)
    return text


def report(name: str, net: C.NetSpec, x: np.ndarray, y: np.ndarray, epochs: int,
           repeats: int, number: int, out_dir: Path) -> list[str]:
    peer, model = build(net, x, y)
    plain = epoch_time(peer, model, x, y, epochs, repeats)
    ph, wall, batches = min((phases(peer, model, x, y, epochs) for _ in range(repeats)),
                            key=lambda r: r[1])
    # Each wrapped call is charged the timer's own cost; take it back out.
    cost = wrapper_cost()
    for k in ph:
        ph[k] = max(0.0, ph[k] - cost * batches)
    total = wall - cost * batches * len(ph)
    ph["fit loop, callbacks, glue (rest)"] = total - sum(ph.values())
    gem = gemm_split(net, x, repeats)
    gemm_total = gem["forward"] + gem["backward"]
    lines = [f"## {name}: {batches} batches per epoch", "",
             f"- plain fit (fastest of {repeats}): **{plain * 1e3:.1f} ms/epoch** "
             f"({plain / batches * 1e6:.0f} us per batch); instrumented run: "
             f"{total * 1e3:.1f} ms/epoch once the timers' own {cost * 1e6:.1f} us per call "
             "are taken out (the phases below come from that run; the rest is its epoch "
             "minus the phases)",
             f"- matrix products alone, same shapes: {gemm_total * 1e3:.1f} ms/epoch (forward "
             f"{gem['forward'] * 1e3:.1f}, backward {gem['backward'] * 1e3:.1f}), i.e. "
             f"**{gemm_total / plain * 100:.0f}% of the plain epoch is BLAS**"
             f" ({gemm_total / total * 100:.0f}% of the instrumented one)", "",
             "| phase | ms/epoch | us/batch | share |", "|---|---:|---:|---:|"]
    for k, v in sorted(ph.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {k} | {v * 1e3:.2f} | {v / batches * 1e6:.1f} | {v / total * 100:.1f}% |")
    fwd_rest = ph.get("forward", 0.0) - gem["forward"]
    bwd_rest = ph.get("backward", 0.0) - gem["backward"]
    lines += ["", f"Forward minus its products: {fwd_rest * 1e3:.2f} ms/epoch "
              f"({fwd_rest / batches * 1e6:.1f} us/batch: bias adds, activations, layer "
              f"calls). Backward minus its products: {bwd_rest * 1e3:.2f} ms/epoch "
              f"({bwd_rest / batches * 1e6:.1f} us/batch: activation derivatives, bias sums, "
              "layer calls).", "", "Single calls on one batch:", "",
              "| call | us |", "|---|---:|"]
    for label, us in micro(model, net, x, y, number):
        lines.append(f"| {label} | {us:.1f} |")
    prof_path = out_dir / f"profile_{name.lower()}.txt"
    text = cprofile_top(peer, model, x, y, max(1, epochs // 2), prof_path)
    body = [ln for ln in text.splitlines() if ln.strip()][:40]
    lines += ["", f"cProfile, top functions by own time ({prof_path.name}):", "", "```"]
    lines += body[body.index(next(ln for ln in body if "ncalls" in ln)):] if any(
        "ncalls" in ln for ln in body) else body
    lines += ["```", ""]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=str(BENCH / "results"))
    ap.add_argument("--threads", type=int, default=1,
                    help="BLAS threads (default 1, timed by CPU time; 0 = the library's "
                         "default, timed by wall clock)")
    args = ap.parse_args(argv)
    global CLOCK
    if args.threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=args.threads)
    CLOCK = time.process_time if args.threads == 1 else time.perf_counter
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = ["# minikeras hot-path profile", "",
             f"BLAS: {C.describe_blas(C.blas_info())}; clock: "
             + ("process CPU time" if CLOCK is time.process_time else "wall"), ""]
    x1, y1 = C.breast_cancer()
    lines += report("W1", C.W1_NET, x1, y1, epochs=10 if args.quick else 40,
                    repeats=3 if args.quick else 5, number=300 if args.quick else 2000,
                    out_dir=out_dir)
    x2, y2 = C.synthetic_train(20_000 if args.quick else C.W2_ROWS)
    lines += report("W2", C.W2_NET, x2, y2, epochs=1, repeats=2 if args.quick else 3,
                    number=30 if args.quick else 200, out_dir=out_dir)
    text = "\n".join(lines) + "\n"
    print(text)
    (out_dir / "profile.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
