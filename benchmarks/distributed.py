"""Data-parallel speed: W2 epoch time for N = 1, 2 ranks, the Allreduce cost, and a model for N > 2.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/distributed.py [--quick]
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/distributed.py --memmap-gb 2

W2: 60,000 x 784 synthetic rows (a float32 memmap each rank reads its shard of),
784-256-128-10, softmax + sparse categorical cross-entropy, Adam, global batch 128.
Runs, each rank with one BLAS thread unless stated:
  single-1t   one process, one BLAS thread (the baseline of the speed-up targets)
  single-2t   one process, two BLAS threads
  dp2         2 ranks, plain Allreduce of the flat gradient buffer
  dp2-zero    2 ranks, DataParallel(shard_optimizer=True): reduce-scatter, step the slice,
              all-gather the weights
  pair-1t     two independent one-process fits at once, one BLAS thread each: not a
              configuration but the machine's ceiling (2 x single-1t / pair-1t is the
              most any N = 2 job could gain here, at that moment: a vCPU of a shared VM
              may be slower than the other, or busy)
The 2-rank job also times one Allreduce of the gradient buffer and two smaller
messages; a ring-Allreduce model (2 (N-1)/N * bytes / bandwidth + 2 (N-1) latency)
fitted to them predicts the epoch time for N = 4 ... 64 from the measured compute.
``--memmap-gb`` instead fits one epoch on a memmap of that size with 2 ranks and
reports each rank's peak anonymous memory (RssAnon; file pages do not count).
Results go to benchmarks/results/distributed.json and are printed as a table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
FEATURES, CLASSES = 784, 10


def make_data(path: Path, rows: int) -> None:
    """A seeded W2-like data set: a float32 memmap of x and an int64 memmap of labels."""
    x = np.memmap(path, dtype=np.float32, mode="w+", shape=(rows, FEATURES))
    rng = np.random.default_rng(0)
    proj = rng.normal(size=(FEATURES, CLASSES)).astype(np.float32)
    labels = np.memmap(str(path) + ".y", dtype=np.int64, mode="w+", shape=(rows,))
    for start in range(0, rows, 10_000):
        block = rng.normal(size=(min(10_000, rows - start), FEATURES)).astype(np.float32)
        x[start:start + len(block)] = block
        labels[start:start + len(block)] = (block @ proj).argmax(axis=1)
    x.flush()
    labels.flush()


# ----------------------------------------------------------------------------- worker
def worker(args: argparse.Namespace) -> None:
    import minikeras as mk
    from minikeras import distribution as D

    if args.ranks > 1:
        D.set_distribution(D.DataParallel(shard_optimizer=args.zero))
    mk.utils.set_random_seed(0)
    x = np.memmap(args.data, dtype=np.float32, mode="r").reshape(-1, FEATURES)
    y = np.memmap(args.data + ".y", dtype=np.int64, mode="r")
    model = mk.Sequential([mk.Input((FEATURES,)), mk.layers.Dense(256, activation="relu"),
                           mk.layers.Dense(128, activation="relu"),
                           mk.layers.Dense(CLASSES, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    times: list[float] = []

    class Timer(mk.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if D.distribution() is not None:
                D.distribution().barrier()
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    history = model.fit(x, y, epochs=args.epochs, batch_size=128, shuffle=True,
                        callbacks=[Timer()], verbose=0)
    result = {"epoch_s": times, "accuracy": history.history["accuracy"][-1],
              "loss": history.history["loss"][-1]}
    dp = D.distribution()
    if dp is not None:
        result["allreduce_s"] = time_allreduce(dp, model._flat.grads_all.size)
    rss = next(int(line.split()[1]) for line in open("/proc/self/status")
               if line.startswith("RssAnon"))
    result["rss_anon_mb"] = rss / 1024
    rss_all = dp.comm.gather(result["rss_anon_mb"], root=0) if dp is not None else [
        result["rss_anon_mb"]]
    if D.is_chief():
        result["rss_anon_mb_per_rank"] = rss_all
        Path(args.out).write_text(json.dumps(result))


def time_allreduce(dp, size: int) -> dict[str, float]:
    """Median seconds of an Allreduce of the gradient buffer, and of two smaller messages."""
    out = {}
    for n in (size, size // 8, 1024):
        buf = np.zeros(n, dtype=np.float32)
        samples = []
        for _ in range(30):
            dp.barrier()
            t = time.perf_counter()
            dp.allreduce(buf)
            samples.append(time.perf_counter() - t)
        out[str(n * 4)] = statistics.median(samples)
    return out


def memmap_worker(args: argparse.Namespace) -> None:
    import minikeras as mk
    from minikeras import distribution as D

    D.set_distribution(D.DataParallel())
    mk.utils.set_random_seed(0)
    x = np.memmap(args.data, dtype=np.float32, mode="r").reshape(-1, FEATURES)
    y = np.memmap(args.data + ".y", dtype=np.int64, mode="r")
    model = mk.Sequential([mk.Input((FEATURES,)), mk.layers.Dense(128, activation="relu"),
                           mk.layers.Dense(CLASSES, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    peak = 0
    stop = False

    import threading

    def watch():
        nonlocal peak
        while not stop:
            for line in open("/proc/self/status"):
                if line.startswith("RssAnon"):
                    peak = max(peak, int(line.split()[1]))
            time.sleep(0.05)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    model.fit(x, y, epochs=1, batch_size=512, verbose=0)
    stop = True
    thread.join()
    peaks = D.distribution().comm.gather(peak / 1024, root=0)
    if D.is_chief():
        Path(args.out).write_text(json.dumps({"peak_rss_anon_mb_per_rank": peaks,
                                              "data_gb": x.nbytes / 2**30}))


# ----------------------------------------------------------------------------- driver
def run(cmd: list[str], threads: int, copies: int = 1) -> None:
    """Run ``cmd`` (``copies`` of it at once, each given its own ``--out`` suffix)."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    if copies == 1:
        subprocess.run(cmd, check=True, env=env)
        return
    out = cmd.index("--out") + 1
    procs = [subprocess.Popen([*cmd[:out], f"{cmd[out]}.{i}", *cmd[out + 1:]], env=env)
             for i in range(copies)]
    if any(p.wait() for p in procs):
        raise subprocess.CalledProcessError(1, cmd)


def ring_model(compute_1: float, steps: int, allreduce: dict[str, float]) -> dict[int, float]:
    """Epoch seconds for N ranks: compute_1 / N plus a ring Allreduce per step.

    Latency and bandwidth come from the measured 2-rank times of the largest and
    smallest message (a 2-rank ring sends ``bytes`` once each way).
    """
    sizes = sorted((int(k), v) for k, v in allreduce.items())
    (small_b, small_t), (big_b, big_t) = sizes[0], sizes[-1]
    # 2 ranks: t = 2 * 1 * latency + 2 * (1/2) * bytes / bandwidth
    bandwidth = (big_b - small_b) / max(big_t - small_t, 1e-9)
    latency = max(small_t - small_b / bandwidth, 0.0) / 2
    out = {}
    for n in (4, 8, 16, 32, 64):
        ring = 2 * (n - 1) / n * big_b / bandwidth + 2 * (n - 1) * latency
        out[n] = compute_1 / n + steps * ring
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 rows, 2 epochs")
    parser.add_argument("--memmap-gb", type=float, default=0.0)
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds of all four runs, interleaved (default 5)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memmap-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--ranks", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--zero", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=3, help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    if args.memmap_worker:
        return memmap_worker(args)

    mpiexec = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) \
        or shutil.which("mpiexec")
    if mpiexec is None:
        sys.exit("mpiexec not found: pip install 'minikeras[mpi]'")
    RESULTS.mkdir(parents=True, exist_ok=True)
    me = [sys.executable, str(Path(__file__).resolve())]
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "w2.dat"
        if args.memmap_gb:
            rows = int(args.memmap_gb * 2**30 / (FEATURES * 4))
            make_data(data, rows)
            out = Path(tmp) / "mem.json"
            run([mpiexec, "-n", "2", *me, "--memmap-worker", "--data", str(data),
                 "--out", str(out)], threads=1)
            result = json.loads(out.read_text())
            print(json.dumps(result, indent=1))
            (RESULTS / "distributed_memmap.json").write_text(json.dumps(result, indent=1))
            return
        rows = 20_000 if args.quick else 60_000
        epochs = 2 if args.quick else 3
        rounds = 1 if args.quick else args.rounds
        make_data(data, rows)
        runs = {"single-1t": (1, False, 1), "single-2t": (1, False, 2),
                "dp2": (2, False, 1), "dp2-zero": (2, True, 1), "pair-1t": (0, False, 1)}
        results: dict[str, dict] = {}
        kept: dict[str, list[float]] = {name: [] for name in runs}
        # Rounds of every configuration in turn: this VM's speed drifts by 10-30% over
        # minutes, and interleaving spreads that drift over all of them alike.
        for _ in range(rounds):
            for name, (ranks, zero, threads) in runs.items():
                out = Path(tmp) / f"{name}.json"
                cmd = [*me, "--worker", "--ranks", str(max(ranks, 1)), "--epochs",
                       str(epochs), "--data", str(data), "--out", str(out)] \
                    + (["--zero"] if zero else [])
                if ranks > 1:
                    cmd = [mpiexec, "-n", str(ranks), *cmd]
                run(cmd, threads, copies=2 if ranks == 0 else 1)
                outs = [out] if ranks else [Path(f"{out}.{i}") for i in range(2)]
                for path in outs:
                    results[name] = json.loads(path.read_text())
                    kept[name] += results[name]["epoch_s"][1:] or results[name]["epoch_s"]
    steps = -(-rows // 128)
    med = {k: statistics.median(v) for k, v in kept.items()}
    base = med["single-1t"]
    print(f"W2 data parallel, {rows} rows, batch 128, {steps} steps/epoch (median of "
          f"{len(kept['single-1t'])} epochs: {rounds} rounds of {epochs}, first epoch dropped)")
    print(f"{'run':<11} {'epoch s':>8} {'vs 1-thread':>12} {'vs 2-thread':>12} "
          f"{'accuracy':>9} {'RssAnon MB/rank':>16}")
    for name in runs:
        r = results[name]
        ranks_rss = r.get("rss_anon_mb_per_rank", [r["rss_anon_mb"]])
        print(f"{name:<11} {med[name]:8.3f} {base / med[name]:11.2f}x "
              f"{med['single-2t'] / med[name]:11.2f}x {r['accuracy']:9.4f} "
              f"{' '.join(f'{v:.0f}' for v in ranks_rss):>16}")
    print(f"Machine ceiling at N = 2 (2 x single-1t / pair-1t): {2 * base / med['pair-1t']:.2f}x"
          " (two independent one-thread fits at once; 2.00x on two idle, equal cores)")
    allreduce = results["dp2"]["allreduce_s"]
    print("Allreduce (2 ranks): " + ", ".join(f"{int(b) / 1024:.0f} KiB {t * 1e3:.3f} ms"
                                                for b, t in allreduce.items()))
    model = ring_model(base, steps, allreduce)
    print("Ring model, epoch s: " + ", ".join(f"N={n}: {t:.3f}" for n, t in model.items()))
    summary = {"rows": rows, "steps": steps, "epoch_median_s": med, "epochs_s": kept,
               "runs": results,
               "speedup_vs_1thread": {k: base / v for k, v in med.items()},
               "speedup_vs_2thread": {k: med["single-2t"] / v for k, v in med.items()},
               "machine_ceiling_n2": 2 * base / med["pair-1t"],
               "ring_model_epoch_s": model}
    (RESULTS / "distributed.json").write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
