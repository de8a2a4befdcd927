"""Run every program in this folder unchanged on Keras 3 and on minikeras; report differences.

Usage (needs the ``bench`` extra: torch and keras)::

    python tests/programs/run_on_keras.py            # all programs, 2 at a time
    python tests/programs/run_on_keras.py p04 p11    # programs whose names start so
    python tests/programs/run_on_keras.py -j 1 -v    # one at a time, print failures in full

Each program runs twice in a fresh subprocess and an empty working folder: once as
written (``import minikeras as keras``), once with ``KERAS_BACKEND=torch`` and a small
shim installed first, so that ``import minikeras`` (and ``from minikeras.x import y``)
gives Keras itself, and ``keras.datasets.<name>`` for minikeras's bundled data sets
(``breast_cancer``, ``diabetes``, ``digits``, which Keras lacks) gives minikeras's
loaders, which read only NumPy files. Nothing in a program is edited.

A program "behaves differently" when its exit status differs between the two runs.
The differences we know of and expect are listed in ``EXPECTED`` with the reason;
anything else is reported as unexpected and the script exits with status 1.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.abc
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BUNDLED = ("breast_cancer", "diabetes", "digits")

#: Programs expected to fail on Keras 3 (torch backend), and why.
EXPECTED = {
    "p11_quickstart_call_directly.py": (
        "calls `.numpy()` on `model(x)` and `layer(x)` as tensorflow.org's quickstart does; "
        "with the torch backend those are torch tensors that require grad, and torch "
        "refuses: \"Can't call numpy() on Tensor that requires grad\" (the TensorFlow "
        "backend allows it)"),
    "p16_legacy_lr_argument.py": (
        "tf.keras 2 code: Keras 3 rejects `Adam(lr=...)` (\"Argument(s) not recognized: "
        "{'lr': 0.01}\") and its `metrics_names` is ['loss', 'compile_metrics']; minikeras "
        "keeps both working (API.md)"),
}


def programs(prefixes: list[str]) -> list[Path]:
    """The program files, optionally only those whose names start with a prefix."""
    found = sorted(HERE.glob("p[0-9][0-9]_*.py"))
    if prefixes:
        found = [p for p in found if any(p.name.startswith(x) for x in prefixes)]
    return found


# ---------------------------------------------------------------- the shim (child side)
class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves ``minikeras.<path>`` to the already importable ``keras.<path>``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "minikeras" or fullname.startswith("minikeras."):
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        return importlib.import_module("keras" + spec.name[len("minikeras"):])

    def exec_module(self, module):
        pass


def install_shim() -> None:
    """Make ``import minikeras`` give Keras, with minikeras's bundled data sets added."""
    sys.path.insert(0, str(ROOT))
    loaders = {name: importlib.import_module(f"minikeras.datasets.{name}") for name in BUNDLED}
    for name in [m for m in sys.modules if m == "minikeras" or m.startswith("minikeras.")]:
        del sys.modules[name]
    import keras

    for name, module in loaders.items():
        setattr(keras.datasets, name, module)
        sys.modules[f"minikeras.datasets.{name}"] = module
    sys.meta_path.insert(0, _AliasFinder())


def run_child(program: str) -> None:
    """Entry point of the Keras run: shim, then the program as ``__main__``."""
    import runpy

    install_shim()
    sys.argv = [program]
    runpy.run_path(program, run_name="__main__")


# ---------------------------------------------------------------- the runner
def run_one(program: Path, on_keras: bool, timeout: float, threads: int = 0) -> dict:
    """Run one program in a fresh folder; return its exit status, time and output tail."""
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    if threads:  # two programs at once on two cores: BLAS (and torch) threads would fight
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(threads)
    if on_keras:
        env["KERAS_BACKEND"] = "torch"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(program)]
    else:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        cmd = [sys.executable, str(program)]
    with tempfile.TemporaryDirectory(prefix="program-") as cwd:
        start = time.perf_counter()
        try:
            proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                                  timeout=timeout)
            rc, out = proc.returncode, proc.stdout + proc.stderr
        except subprocess.TimeoutExpired as err:
            rc = "timeout"
            out = (err.stdout or b"").decode(errors="replace") if isinstance(err.stdout, bytes) \
                else (err.stdout or "")
        elapsed = time.perf_counter() - start
    return {"rc": rc, "seconds": elapsed, "output": out}


def last_error(output: str) -> str:
    """The last line of a traceback (or of the output)."""
    lines = [line for line in output.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        if not line.startswith((" ", "\t")) and ("Error" in line or "Exception" in line):
            return line.strip()
    return lines[-1].strip() if lines else ""


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and print one line per program; 1 if anything unexpected."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefixes", nargs="*", help="only programs whose names start so")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="programs run at once")
    parser.add_argument("-v", "--verbose", action="store_true", help="print failing output")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(args.child)
        return 0

    selected = programs(args.prefixes)
    jobs = [(p, on_keras) for p in selected for on_keras in (False, True)]
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        threads = 1 if args.jobs > 1 else 0
        results = list(pool.map(lambda job: run_one(*job, args.timeout, threads), jobs))
    by_program = {p: (results[2 * i], results[2 * i + 1]) for i, p in enumerate(selected)}

    unexpected = 0
    print(f"{'program':36} {'minikeras':>14} {'keras 3 (torch)':>16}  verdict")
    for program, (ours, theirs) in by_program.items():
        same = ours["rc"] == theirs["rc"]
        expected = EXPECTED.get(program.name)
        if same and ours["rc"] == 0:
            verdict = "same (both pass)"
        elif same:
            verdict = "same (both fail)"
            unexpected += 1
        elif expected and ours["rc"] == 0:
            verdict = "differs, as expected"
        else:
            verdict = "DIFFERS"
            unexpected += 1
        print(f"{program.name:36} {ours['rc']!s:>6} {ours['seconds']:6.1f}s "
              f"{theirs['rc']!s:>7} {theirs['seconds']:6.1f}s  {verdict}")
        for label, res in (("minikeras", ours), ("keras", theirs)):
            if res["rc"] != 0:
                print(f"    {label}: {last_error(res['output'])}")
                if args.verbose:
                    print("\n".join("      " + line for line in res["output"].splitlines()[-40:]))
        if expected and not same:
            print(f"    why: {expected}")
    print(f"\n{len(selected)} programs, {unexpected} unexpected.")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
