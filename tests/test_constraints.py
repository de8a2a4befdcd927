"""Constraints: Keras 3's projections (golden), names and configs."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import minikeras as mk
from minikeras.constraints import CONSTRAINTS
from tests.helpers.tolerances import assert_close

C = mk.constraints
KIND = {"float64": "keras64", "float32": "float32"}


@cache
def golden() -> dict[str, Any]:
    path = Path(__file__).parent / "golden" / "core_misc.json"
    return json.loads(path.read_text())["constraints"]


@pytest.mark.parametrize("cls_name", sorted({c["cls"] for c in golden()["cases"]}))
def test_matches_keras(cls_name):
    w = np.array(golden()["w"])
    for case in [c for c in golden()["cases"] if c["cls"] == cls_name]:
        out = getattr(C, cls_name)(**case["config"])(w.astype(case["dtype"]))
        assert out.dtype == np.dtype(case["dtype"])
        assert_close(out, case["value"], KIND[case["dtype"]],
                     err_msg=f"{cls_name}({case['config']}) {case['dtype']}")


def test_golden_covers_every_registered_constraint():
    recorded = {c["cls"] for c in golden()["cases"]}
    assert {type(CONSTRAINTS.get(n)).__name__ for n in CONSTRAINTS.names()} <= recorded


def test_what_each_constraint_promises():
    w = np.array(golden()["w"])
    norms = np.sqrt((C.MaxNorm(1.0)(w) ** 2).sum(axis=0))
    assert np.all(norms <= 1.0 + 1e-9)
    assert np.all(C.NonNeg()(w) >= 0)
    assert_close(np.sqrt((C.UnitNorm()(w) ** 2).sum(axis=0)), np.ones(w.shape[1]), "float32")
    mm = np.sqrt((C.MinMaxNorm(0.5, 2.0)(w) ** 2).sum(axis=0))
    assert np.all((mm >= 0.5 - 1e-6) & (mm <= 2.0 + 1e-6))


def test_names_configs_and_bad_names():
    for name, cls in [("max_norm", C.MaxNorm), ("non_neg", C.NonNeg), ("unit_norm", C.UnitNorm),
                      ("min_max_norm", C.MinMaxNorm), ("MaxNorm", C.MaxNorm)]:
        assert isinstance(C.get(name), cls)
    assert C.get(None) is None
    config = C.MinMaxNorm(0.5, 2.0, rate=0.5, axis=1).get_config()
    assert config == {"min_value": 0.5, "max_value": 2.0, "rate": 0.5, "axis": 1}
    assert C.get({"class_name": "MinMaxNorm", "config": config}).get_config() == config
    assert C.MaxNorm().get_config() == {"max_value": 2, "axis": 0}  # Keras's defaults
    with pytest.raises(ValueError, match="Unknown constraint 'max_nrom'. Did you mean 'max_norm'"):
        C.get("max_nrom")
