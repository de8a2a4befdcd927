"""One benchmark worker process per peer, driven by ``run.py`` (JSON lines on stdin/stdout).

A worker imports one library, then answers commands: ``prepare`` (data, model,
warm-up), ``rep`` (one timed repetition), ``finish`` (quality, then drop the case),
``memory`` (peak RSS of a W2 fit; sent first to a fresh worker) and ``quit``.
Running each peer in its own process keeps its environment clean (Keras's backend
variable, torch's thread pools) and lets run.py interleave the peers' repetitions,
so that load from other processes on a shared machine hits every peer alike.
Library output goes to stderr; stdout carries only the protocol.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

import _common as C  # noqa: E402
import numpy as np  # noqa: E402
from peers import make_peer  # noqa: E402

TRAIN = ("w1", "w2", "w4")


class Worker:
    """One peer's side of the protocol: cached data sets and the cases being timed."""

    def __init__(self, peer_name: str) -> None:
        self.peer = make_peer(peer_name)
        self.data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.cases: dict[str, dict[str, Any]] = {}

    # -- data ------------------------------------------------------------------------
    def dataset(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        if key not in self.data:
            make = {"bc": C.breast_cancer, "syn": C.synthetic_train,
                    "syn_test": C.synthetic_test}[key]
            self.data[key] = make()
        return self.data[key]

    def case_data(self, workload: str, params: dict[str, Any]
                  ) -> tuple[C.NetSpec, np.ndarray, np.ndarray]:
        if workload == "w1":
            x, y = self.dataset("bc")
            return C.W1_NET, x, y
        x, y = self.dataset("syn")
        if workload == "w4":
            rows = int(params["rows"])
            return C.W2_NET.with_width(int(params["width"])), x[:rows], y[:rows]
        return C.W2_NET, x, y

    # -- commands --------------------------------------------------------------------
    def prepare(self, case: str, workload: str, params: dict[str, Any]) -> dict[str, Any]:
        t0 = time.perf_counter()
        net, x, y = self.case_data(workload, params)
        weights = C.initial_weights(net)
        model = self.peer.build(net, weights, x, y)
        if workload in TRAIN:
            rows = min(len(x), 20 * net.batch_size)
            self.peer.fit(model, x[:rows], y[:rows], 1)  # first-call costs, not timed
            self.peer.set_weights(model, weights)
        else:
            self.peer.predict(model, x, params.get("predict_batch_size"))
        self.cases[case] = {"workload": workload, "params": params, "net": net, "x": x,
                            "y": y, "model": model, "weights": weights, "pred": None}
        return {"prepare_s": time.perf_counter() - t0}

    def rep(self, case: str) -> dict[str, Any]:
        c = self.cases[case]
        if c["workload"] in TRAIN:
            epochs = int(c["params"].get("epochs", 1))
            w0, p0 = time.perf_counter(), time.process_time()
            self.peer.fit(c["model"], c["x"], c["y"], epochs)
            wall, cpu = time.perf_counter() - w0, time.process_time() - p0
            return {"seconds": wall / epochs, "cpu_seconds": cpu / epochs}
        w0, p0 = time.perf_counter(), time.process_time()
        c["pred"] = self.peer.predict(c["model"], c["x"], c["params"].get("predict_batch_size"))
        return {"seconds": time.perf_counter() - w0, "cpu_seconds": time.process_time() - p0}

    def finish(self, case: str) -> dict[str, Any]:
        c = self.cases.pop(case)
        if self.peer.name == "gemm":
            return {"quality": None}
        if c["workload"] == "w1":
            return {"quality": C.quality(self.peer.predict(c["model"], c["x"]), c["y"])}
        if c["workload"] in TRAIN:
            xt, yt = self.dataset("syn_test")
            return {"quality": C.quality(self.peer.predict(c["model"], xt), yt)}
        # W3: every peer loaded the same weights, so its outputs must match float64's.
        ref = C.reference_forward(c["weights"], c["x"], c["net"].binary)
        pred = np.asarray(c["pred"]).reshape(ref.shape)
        return {"quality": {"max_abs_diff_vs_float64": float(np.max(np.abs(pred - ref))),
                            "dtype": str(np.asarray(c["pred"]).dtype)}}

    def memory(self, rss_after_import: int) -> dict[str, Any]:
        """Peak RSS during one W2 epoch, against the data and parameter sizes."""
        x, y = C.synthetic_train()
        rss_data = C.rss_bytes()
        net = C.W2_NET
        weights = C.initial_weights(net)
        model = self.peer.build(net, weights, x, y)
        rss_before_fit = C.rss_bytes()
        exact = C.reset_peak_rss()
        t0 = time.perf_counter()
        self.peer.fit(model, x, y, 1)
        seconds = time.perf_counter() - t0
        peak = C.peak_rss_bytes()
        return {"rss_after_import": rss_after_import, "rss_after_data": rss_data,
                "rss_before_fit": rss_before_fit, "peak_rss_during_fit": peak,
                "peak_is_fit_only": exact, "data_bytes": int(x.nbytes + y.nbytes),
                "param_bytes": int(net.num_params * 4), "fit_seconds": seconds}


def limit_threads(n: int) -> None:
    """Cap every BLAS/OpenMP pool in this process (and torch's) at ``n`` threads."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=n)  # stays in force: not used as a context manager
    except ImportError:
        pass
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(n)


def main() -> None:
    proto = sys.stdout
    sys.stdout = sys.stderr  # library chatter must not corrupt the protocol

    def reply(obj: dict[str, Any]) -> None:
        proto.write(json.dumps(obj) + "\n")
        proto.flush()

    t0 = time.perf_counter()
    try:
        worker = Worker(sys.argv[1])
        info = worker.peer.setup()
    except ImportError as err:
        reply({"error": f"not installed ({err})", "missing": True})
        return
    except Exception:
        reply({"error": traceback.format_exc(limit=3)[-1500:]})
        return
    info["import_s"] = time.perf_counter() - t0
    info["notes"] = worker.peer.notes
    threads = os.environ.get("MK_BENCH_THREADS")
    if threads:
        limit_threads(int(threads))
        if "threads" in info:
            info["threads"] = sys.modules["torch"].get_num_threads()
    info["blas"] = C.blas_info()
    rss_after_import = C.rss_bytes()
    reply({"ok": True, "info": info})
    for line in sys.stdin:
        msg = json.loads(line)
        cmd = msg.pop("cmd")
        if cmd == "quit":
            break
        try:
            if cmd == "memory":
                out = worker.memory(rss_after_import)
            else:
                out = getattr(worker, cmd)(**msg)
        except Exception:
            out = {"error": traceback.format_exc(limit=4)[-2000:]}
        reply(out)


if __name__ == "__main__":
    main()
