"""Count scikit-learn ``check_estimator`` checks passed by minikeras's and Keras 3's wrappers.

Run it (Keras 3 and torch from the ``bench`` extra; Keras runs on the torch backend)::

    python benchmarks/check_estimator_counts.py [--json PATH]

Each library runs in its own process (``--peer minikeras`` or ``--peer keras``) on the
installed scikit-learn, every check run and none marked as expected to fail. Two set-ups
each:

- ``own``: the estimator each project's test suite checks. minikeras: a 16-unit ReLU
  layer, ``Dense(1, "sigmoid")`` for two classes, Adam(0.02), 20 epochs. Keras 3:
  ``keras/src/wrappers/sklearn_test.py`` (``dynamic_model``: three 20-unit layers,
  RMSprop, 5 epochs for the classifier; the regressor's default of 1 epoch).
- ``same``: one Keras program for both libraries: a 16-unit ReLU layer, softmax over
  ``y.shape[1]`` units with categorical cross-entropy (the regressor: linear units and
  MSE), Adam(0.02), ``fit_kwargs={"epochs": 20}``.

Keras's fits are not seeded (its wrappers take no ``random_state``), so its counts may
move by a check or two between runs. Keras 3 runs fewer checks: its wrappers carry the
``non_deterministic`` tag (no subset or sample-order invariance checks), do not name
``sample_weight`` in ``fit`` (no sample-weight checks), and do not declare sparse input.
Its own regressor set-up ends in a softmax over one unit, so it predicts 1.0 whatever the
input, which passes every reproducibility check. The report is printed and written as
JSON (``benchmarks/results/check_estimator_counts.json`` unless ``--json`` says).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DEFAULT_JSON = BENCH / "results" / "check_estimator_counts.json"
PEERS = ("minikeras", "keras")


# ---------------------------------------------------------------------- set-ups
# Model functions live at module level: check_estimator pickles the estimators.
def _lib(name: str) -> Any:
    if name == "keras":
        os.environ.setdefault("KERAS_BACKEND", "torch")
    else:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(name)


def mk_own_classifier(X: Any, y: Any, hidden: int = 16) -> Any:
    """minikeras's test-suite classifier: sigmoid unit for two classes, else softmax."""
    mk = _lib("minikeras")
    n_classes = y.shape[1]
    out = (mk.layers.Dense(1, activation="sigmoid") if n_classes == 2
           else mk.layers.Dense(n_classes, activation="softmax"))
    model = mk.Sequential([mk.Input((X.shape[1],)), mk.layers.Dense(hidden, activation="relu"),
                           out])
    model.compile(optimizer=mk.optimizers.Adam(0.02),
                  loss="binary_crossentropy" if n_classes == 2 else "categorical_crossentropy")
    return model


def mk_own_regressor(X: Any, y: Any, hidden: int = 16) -> Any:
    """minikeras's test-suite regressor."""
    mk = _lib("minikeras")
    model = mk.Sequential([mk.Input((X.shape[1],)), mk.layers.Dense(hidden, activation="relu"),
                           mk.layers.Dense(y.shape[1])])
    model.compile(optimizer=mk.optimizers.Adam(0.02), loss="mse")
    return model


def keras_dynamic_model(X: Any, y: Any, loss: Any, out_activation_function: str = "softmax",
                        layers: Any = (10,)) -> Any:
    """keras/src/wrappers/sklearn_test.py's ``dynamic_model``, written out again."""
    keras = _lib("keras")
    inp = keras.Input(shape=(X.shape[1],))
    hidden = inp
    for size in layers:
        hidden = keras.layers.Dense(size, activation="relu")(hidden)
    n_outputs = y.shape[1] if len(y.shape) > 1 else 1
    out = keras.layers.Dense(n_outputs, activation=out_activation_function)(hidden)
    model = keras.Model(inp, out)
    model.compile(loss=loss, optimizer="rmsprop")
    return model


def same_model(X: Any, y: Any, kind: str, library: str) -> Any:
    """One Keras program for both libraries (``library``: "minikeras" or "keras")."""
    keras = _lib(library)
    classifier = kind == "classifier"
    net = keras.Sequential([
        keras.Input((X.shape[1],)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(y.shape[1], activation="softmax" if classifier else None),
    ])
    net.compile(optimizer=keras.optimizers.Adam(0.02),
                loss="categorical_crossentropy" if classifier else "mse")
    return net


def _estimators(peer: str) -> dict[str, list[Any]]:
    lib = _lib(peer)
    wrappers = importlib.import_module(f"{peer}.wrappers")
    clf, reg = wrappers.SKLearnClassifier, wrappers.SKLearnRegressor
    fit = {"epochs": 20}
    same = [clf(same_model, model_kwargs={"kind": "classifier", "library": peer},
                fit_kwargs=fit),
            reg(same_model, model_kwargs={"kind": "regressor", "library": peer},
                fit_kwargs=fit)]
    if lib.__name__ == "minikeras":
        own = [clf(mk_own_classifier, fit_kwargs=fit), reg(mk_own_regressor, fit_kwargs=fit)]
    else:
        own = [clf(keras_dynamic_model, model_kwargs={"loss": "categorical_crossentropy",
                                                      "layers": [20, 20, 20]},
                   fit_kwargs={"epochs": 5}),
               reg(keras_dynamic_model, model_kwargs={"loss": "mse"})]
    return {"own": own, "same": same}


# ---------------------------------------------------------------------- one peer
def run_peer(peer: str) -> dict[str, Any]:
    """Run every check on both estimators of both set-ups; statuses and failure reasons."""
    import sklearn
    from sklearn.utils.estimator_checks import check_estimator

    setups = _estimators(peer)
    report: dict[str, Any] = {"peer": peer, "sklearn": sklearn.__version__, "setups": {}}
    if peer == "keras":
        import keras

        report["keras"], report["backend"] = keras.__version__, keras.config.backend()
    for setup, estimators in setups.items():
        for est in estimators:
            start = time.perf_counter()
            # Keras prints a progress bar per fit: keep stdout for the JSON report.
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                results = check_estimator(est, on_fail=None, on_skip=None)
            checks = [{"check": r["check_name"], "status": r["status"],
                       "error": None if r["exception"] is None
                       else f"{type(r['exception']).__name__}: {r['exception']}"[:300]}
                      for r in results]
            counts = {s: sum(c["status"] == s for c in checks)
                      for s in ("passed", "failed", "skipped")}
            report["setups"].setdefault(setup, {})[type(est).__name__] = {
                "counts": counts, "total": len(checks),
                "seconds": round(time.perf_counter() - start, 1), "checks": checks}
    return report


# ---------------------------------------------------------------------- driver
def _run_child(peer: str) -> dict[str, Any]:
    env = dict(os.environ)
    if peer == "keras":
        env["KERAS_BACKEND"] = "torch"
    proc = subprocess.run([sys.executable, __file__, "--peer", peer], env=env,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"peer": peer, "error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _print_report(reports: list[dict[str, Any]]) -> None:
    for rep in reports:
        if "error" in rep:
            print(f"{rep['peer']}: not run ({rep['error'][0]})")
    ok = [r for r in reports if "error" not in r]
    if not ok:
        return
    print(f"scikit-learn {ok[0]['sklearn']}: check_estimator checks passed / failed / skipped")
    for setup in ("own", "same"):
        for name in ("SKLearnClassifier", "SKLearnRegressor"):
            cells = []
            for rep in ok:
                res = rep["setups"][setup][name]
                c = res["counts"]
                cells.append(f"{rep['peer']}: {c['passed']}/{c['failed']}/{c['skipped']} "
                             f"of {res['total']} ({res['seconds']} s)")
            print(f"  {setup:4} {name:18} " + "   ".join(cells))
    if len(ok) == 2:
        for name in ("SKLearnClassifier", "SKLearnRegressor"):
            runs = [{c["check"] for c in rep["setups"]["same"][name]["checks"]} for rep in ok]
            for this, other, rep in ((runs[0], runs[1], ok[0]), (runs[1], runs[0], ok[1])):
                only = sorted(this - other)
                if only:
                    print(f"    {name}: run only for {rep['peer']}: {', '.join(only)}")
    for rep in ok:
        for setup, by_name in rep["setups"].items():
            for name, res in by_name.items():
                for c in res["checks"]:
                    if c["status"] == "failed":
                        lines = [ln for ln in (c["error"] or "").splitlines() if ln.strip()]
                        print(f"    {rep['peer']} {setup} {name} FAILED {c['check']}: "
                              f"{' '.join(lines[:2])[:160]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", choices=PEERS, help="run one library here, print JSON")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write")
    args = parser.parse_args(argv)
    if args.peer:
        print(json.dumps(run_peer(args.peer)))
        return 0
    reports = [_run_child(peer) for peer in PEERS]
    _print_report(reports)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(reports, indent=1))
    print(f"written: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
