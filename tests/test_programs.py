"""Real Keras-style programs run unchanged with ``import minikeras as keras``.

Each file ``tests/programs/pNN_*.py`` is a complete script written the way public
tutorials and course labs write Keras code, ending with its own assertions on what
its user cares about. Here each runs in a fresh subprocess and an empty working
folder, two at a time (the programs are independent), and must exit with status 0.
``tests/programs/run_on_keras.py`` runs the same files on Keras 3 by hand.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS_DIR = ROOT / "tests" / "programs"
PROGRAMS = sorted(p.name for p in PROGRAMS_DIR.glob("p[0-9][0-9]_*.py"))
TIMEOUT = 180  # seconds per program; each takes a few seconds


def _run(name: str, workdir: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["MPLBACKEND"] = "Agg"
    # Two programs share the two cores: one BLAS thread each.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    workdir.mkdir(parents=True, exist_ok=True)
    return subprocess.run([sys.executable, str(PROGRAMS_DIR / name)], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT)


@pytest.fixture(scope="module")
def launched(request, tmp_path_factory):
    """Start every selected program at once (two at a time); tests wait for their own."""
    selected = [item.callspec.params["program"] for item in request.session.items
                if item.module is request.module and hasattr(item, "callspec")]
    base = tmp_path_factory.mktemp("programs")
    pool = ThreadPoolExecutor(max_workers=2)
    futures: dict[str, Future] = {name: pool.submit(_run, name, base / name[:-3])
                                  for name in dict.fromkeys(selected)}
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


def test_there_are_at_least_15_programs():
    assert len(PROGRAMS) >= 15, PROGRAMS


@pytest.mark.parametrize("program", PROGRAMS)
def test_program_runs_unchanged(program, launched):
    result = launched[program].result()
    output = (result.stdout + result.stderr)[-6000:]
    assert result.returncode == 0, f"{program} exited with {result.returncode}:\n{output}"
    source = (PROGRAMS_DIR / program).read_text()
    # Unchanged Keras code: the only minikeras-specific line is the import.
    assert "import minikeras as keras" in source
    assert "assert" in source.split("import minikeras as keras", 1)[1]


def test_comparison_script_knows_every_expected_difference():
    spec = importlib.util.spec_from_file_location("run_on_keras",
                                                  PROGRAMS_DIR / "run_on_keras.py")
    module = importlib.util.module_from_spec(spec)
    before = {"keras", "torch"} & set(sys.modules)
    spec.loader.exec_module(module)
    assert {"keras", "torch"} & set(sys.modules) == before  # only its child imports Keras
    assert set(module.EXPECTED) <= set(PROGRAMS), sorted(set(module.EXPECTED) - set(PROGRAMS))
    assert [p.name for p in module.programs([])] == PROGRAMS
