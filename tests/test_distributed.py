"""Data-parallel fit over MPI equals the one-process run (2 and 3 ranks, float64 and float32).

Each test launches ``mpiexec`` (from the ``mpi`` extra) on
``tests/distributed/dp_train.py`` and compares rank 0's weights and history
with the same job run in one process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.helpers.tolerances import assert_close

SCRIPT = Path(__file__).parent / "distributed" / "dp_train.py"
MPIEXEC = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")

pytestmark = pytest.mark.skipif(
    MPIEXEC is None, reason="mpiexec not found: install the `mpi` extra (mpi4py, mpich)")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = "1"
    env["OPENBLAS_NUM_THREADS"] = "1"
    env["PYTHONPATH"] = str(Path(__file__).parent.parent) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_job(tmp_path: Path, ranks: int, timeout: float = 120, **opts) -> dict:
    out = tmp_path / f"result_{ranks}_{len(list(tmp_path.iterdir()))}.json"
    opts = {**opts, "out": str(out)}
    if ranks == 1:
        cmd = [sys.executable, str(SCRIPT), json.dumps({**opts, "parallel": False})]
    else:
        cmd = [MPIEXEC, "-n", str(ranks), sys.executable, str(SCRIPT), json.dumps(opts)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(out.read_text())
    result["stdout"] = proc.stdout
    return result


def assert_same_run(a: dict, b: dict, kind: str) -> None:
    assert list(a["history"]) == list(b["history"])
    for key in a["history"]:
        assert_close(b["history"][key], a["history"][key], kind, err_msg=key)
    for wa, wb in zip(a["weights"], b["weights"]):
        assert_close(wb, wa, kind)
    for key in a["evaluate"]:
        assert_close(b["evaluate"][key], a["evaluate"][key], kind, err_msg=key)


@pytest.mark.parametrize("ranks,opts", [
    (2, {"model": "bn"}),
    (3, {"model": "bn", "shard_optimizer": True}),
    (2, {"sample_weight": True, "reduction": "mean_with_sample_weight", "rows": 150}),
    (3, {"reduction": "sum", "batch_size": 10, "rows": 97}),
])
def test_parallel_fit_equals_one_process_float64(tmp_path, ranks, opts):
    single = run_job(tmp_path, 1, **opts)
    parallel = run_job(tmp_path, ranks, **opts)
    assert_same_run(single, parallel, "distributed64")


def test_parallel_fit_float32(tmp_path):
    opts = {"floatx": "float32", "model": "bn"}
    assert_same_run(run_job(tmp_path, 1, **opts), run_job(tmp_path, 2, **opts), "float32")


def test_only_rank_zero_prints(tmp_path):
    result = run_job(tmp_path, 2, verbose=2, epochs=2)
    lines = result["stdout"].splitlines()
    assert sum(line.startswith("Epoch 1/2") for line in lines) == 1
    assert sum(line.startswith("Epoch 2/2") for line in lines) == 1


def test_memmap_input_is_sharded(tmp_path):
    path = tmp_path / "x.dat"
    data = np.memmap(path, dtype=np.float64, mode="w+", shape=(301, 6))
    data[:] = np.random.default_rng(3).normal(size=(301, 6))
    data.flush()
    opts = {"memmap": str(path), "model": "bn", "validation_split": 0.0}
    assert_same_run(run_job(tmp_path, 1, **opts), run_job(tmp_path, 2, **opts), "distributed64")


def test_failing_rank_ends_the_job(tmp_path):
    script = tmp_path / "fail.py"
    script.write_text(
        "import time\nimport minikeras as mk\nfrom minikeras import distribution as D\n"
        "d = D.DataParallel()\nD.set_distribution(d)\n"
        "if d.rank == 1:\n    raise RuntimeError('boom on rank 1')\n"
        "import numpy as np\nbuf = np.zeros(3)\nd.allreduce(buf)\ntime.sleep(60)\n")
    proc = subprocess.run([MPIEXEC, "-n", "2", sys.executable, str(script)], capture_output=True,
                          text=True, timeout=30, env=_env())
    assert proc.returncode != 0
    assert "rank 1 failed" in proc.stderr and "boom on rank 1" in proc.stderr


def test_importing_minikeras_does_not_import_mpi4py():
    code = "import sys, minikeras; print('mpi4py' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=_env(), check=True).stdout.strip()
    assert out == "False"
