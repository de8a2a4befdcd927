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
    # MPI's own collectives (as between machines) instead of the shared-memory window
    (2, {"model": "bn", "shared_memory": False}),
    (3, {"model": "bn", "shard_optimizer": True, "shared_memory": False}),
    (2, {"split_fit": True, "shard_optimizer": True}),
    # Sharded slices that move every step (the balancing's freedom), 3 ranks: the
    # rank-order sum on a rank that is not among the first two
    (3, {"model": "bn", "shard_optimizer": True, "shift_bounds": True}),
    # Weight decay, the EMA and accumulator slots, in shared memory under moving slices
    (2, {"optimizer": "adamw-ema-acc", "shard_optimizer": True, "shift_bounds": True}),
    # Metrics whose state is made from the first batch, evaluated where a rank has no rows
    (3, {"lazy_metrics": True, "eval_rows": 2}),
    (3, {"lazy_metrics": True, "eval_rows": 2, "reduction": "sum"}),
    (2, {"loss_weight": 0.5, "sample_weight": True, "shard_optimizer": True}),
])
def test_parallel_fit_equals_one_process_float64(tmp_path, ranks, opts):
    single = run_job(tmp_path, 1, **opts)
    parallel = run_job(tmp_path, ranks, **opts)
    assert_same_run(single, parallel, "distributed64")
    shared = opts.get("shared_memory", True)
    sharded = opts.get("shard_optimizer", False)
    assert parallel["shared"] == [shared] * 3  # ranks on one machine: the window, if allowed
    assert parallel["shares_weights"] == [shared and sharded] * 3
    assert parallel["private_after_fit"]
    if shared or not sharded:  # (sharded over MPI messages, a rank keeps its own slice)
        assert parallel["slots_equal_on_ranks"]
    if opts.get("shift_bounds"):
        assert parallel["bounds"] >= 15  # the slices moved at (nearly) every one of 18 steps


def test_sharded_slices_are_balanced_by_measured_speed(tmp_path):
    """The real balancer (here on 4,801 weights; by default from 65,536) moves the bounds
    off the even split every 8 steps, and the run still equals one process."""
    opts = {"shard_optimizer": True, "hidden": 600, "rows": 400, "epochs": 3,
            "balance_min": 0}
    single = run_job(tmp_path, 1, **opts)
    parallel = run_job(tmp_path, 2, **opts)
    assert_same_run(single, parallel, "distributed64")
    even = [0, 4801 // 2, 4801]
    assert parallel["epoch_bounds"] and any(b != even for b in parallel["epoch_bounds"])
    assert all(b[1] % 64 == 0 for b in parallel["epoch_bounds"] if b != even)


def test_sharded_results_do_not_depend_on_the_slice_bounds(tmp_path):
    """Balancing moves the slices between ranks; the weights stay the same to the bit
    (the step is elementwise, the sums run in rank order whoever computes them)."""
    opts = {"shard_optimizer": True, "epochs": 2}
    static = run_job(tmp_path, 3, **opts)
    moving = run_job(tmp_path, 3, shift_bounds=True, **opts)
    assert moving["bounds"] >= 10  # of 12 steps
    for a, b in zip(static["weights"], moving["weights"]):
        np.testing.assert_array_equal(np.array(b), np.array(a))
    assert moving["history"] == static["history"]


def test_balanced_bounds_let_the_ranks_finish_together():
    from minikeras.distribution import balanced_bounds

    total = 235_146
    even = balanced_bounds(total, np.array([3e-9, 3e-9]))
    assert even[0] == 0 and even[-1] == total and abs(even[1] - total / 2) <= 64
    rate = np.array([2.5e-9, 3.0e-9])
    bounds = balanced_bounds(total, rate)
    shares = np.diff(bounds)
    assert shares[0] > shares[1]  # the faster rank steps more
    finish = rate * shares
    assert abs(finish[0] - finish[1]) < 64 * rate.max()  # together, up to the alignment
    assert bounds[1] % 64 == 0
    # A rank far slower still keeps a quarter of an even share; three ranks, in order.
    skewed = balanced_bounds(total, np.array([3e-9, 3e-9, 60e-9]))
    assert skewed == sorted(skewed) and skewed[-1] == total
    assert total - skewed[2] >= total / 12 - 64


def test_rank_raising_inside_fit_ends_the_job(tmp_path):
    """Mid-epoch, with the buffers in shared memory: no collective on the way out."""
    import time

    out = tmp_path / "never.json"
    opts = {"fail_rank": 1, "shard_optimizer": True, "out": str(out)}
    start = time.monotonic()
    proc = subprocess.run([MPIEXEC, "-n", "2", sys.executable, str(SCRIPT), json.dumps(opts)],
                          capture_output=True, text=True, timeout=60, env=_env())
    assert time.monotonic() - start < 30
    assert proc.returncode != 0 and not out.exists()
    assert "rank 1 failed" in proc.stderr and "boom in fit on rank 1" in proc.stderr


def test_ranks_shuffle_alike_without_a_seed(tmp_path):
    result = run_job(tmp_path, 2, seed=None, epochs=1)
    assert result["shuffles_equal_on_ranks"]


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


RESUME = Path(__file__).parent / "distributed" / "dp_resume.py"


@pytest.mark.parametrize("shard_optimizer", [False, True])
def test_dead_rank_ends_job_and_backup_resumes_on_other_rank_count(tmp_path, shard_optimizer):
    """A rank killed mid-epoch ends the job fast; the backup resumes on 3 ranks.

    With ``shard_optimizer`` each rank holds only its slice of the optimizer slots,
    so the backup must gather them; the resumed run (not sharded) must still match.
    """
    import time

    backup = tmp_path / "backup"
    opts = {"backup_dir": str(backup), "kill": [2, 3, 1], "shard_optimizer": shard_optimizer}
    start = time.monotonic()
    proc = subprocess.run([MPIEXEC, "-n", "2", sys.executable, str(RESUME), json.dumps(opts)],
                          capture_output=True, text=True, timeout=60, env=_env())
    assert time.monotonic() - start < 30
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    # The launcher names the dead process by PID; our start-up line maps PIDs to ranks.
    table = output.split("(rank:pid ")[1].split(")")[0]
    pids = dict(item.split(":")[::-1] for item in table.split())
    dead_pid = output.split("PID ")[1].split()[0]
    assert pids[dead_pid] == "1"
    assert backup.exists()

    resumed_out = tmp_path / "resumed.json"
    done = subprocess.run([MPIEXEC, "-n", "3", sys.executable, str(RESUME),
                           json.dumps({"backup_dir": str(backup), "out": str(resumed_out)})],
                          capture_output=True, text=True, timeout=120, env=_env())
    assert done.returncode == 0, done.stdout + done.stderr
    single_out = tmp_path / "single.json"
    subprocess.run([sys.executable, str(RESUME),
                    json.dumps({"parallel": False, "out": str(single_out)})],
                   check=True, timeout=120, env=_env())
    resumed = json.loads(resumed_out.read_text())
    single = json.loads(single_out.read_text())
    for wa, wb in zip(single["weights"], resumed["weights"]):
        assert_close(wb, wa, "distributed64")
    # History after a restore covers the resumed epochs: the last two epochs match.
    for key in single["history"]:
        assert_close(resumed["history"][key][-2:], single["history"][key][-2:],
                     "distributed64", err_msg=key)


def test_memmap_fit_memory_stays_bounded_per_rank(tmp_path):
    """A 256 MB memmap: each rank allocates a small fraction of it (anonymous memory)."""
    rows, features = 262_144, 256  # 256 MiB of float32
    path = tmp_path / "big.dat"
    x = np.memmap(path, dtype=np.float32, mode="w+", shape=(rows, features))
    chunk = np.random.default_rng(0).normal(size=(8192, features)).astype(np.float32)
    for start in range(0, rows, 8192):
        x[start:start + 8192] = chunk
    x.flush()
    del x
    y = np.memmap(str(path) + ".y", dtype=np.int64, mode="w+", shape=(rows,))
    y[:] = np.arange(rows) % 4
    y.flush()
    del y
    out = tmp_path / "mem"
    script = Path(__file__).parent / "distributed" / "dp_memmap.py"
    subprocess.run([MPIEXEC, "-n", "2", sys.executable, str(script), str(path), str(features),
                    str(out)], check=True, timeout=300, env=_env())
    for rank in (0, 1):
        peak, rss_anon_kb = map(int, (tmp_path / f"mem.{rank}").read_text().split())
        assert peak < 32 * 2**20, f"rank {rank} allocated {peak / 2**20:.1f} MiB at peak"
        assert rss_anon_kb * 1024 < 300 * 2**20, f"rank {rank} RssAnon {rss_anon_kb} kB"
