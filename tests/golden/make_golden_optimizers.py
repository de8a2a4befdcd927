"""Record Keras 3's optimizer and schedule numbers for ``tests/test_optimizers.py``
and ``tests/test_schedules.py``.

Run by hand (never in CI; the tests read the JSON this writes)::

    KERAS_BACKEND=torch /work/venv/bin/python tests/golden/make_golden_optimizers.py

Each optimizer case takes 5 ``apply_gradients`` steps on four variables of
different shapes (a zero gradient element included), from weights and
gradients drawn here with a seeded Generator and stored in the JSON, in
float64 and in float32. Recorded: the weights after every step, Keras's
optimizer variables (paths and values) after the last step in float64, and,
for ``use_ema``, the weights after ``finalize_variable_values``.

Notes on Keras 3.15.1 with the torch backend:

- Keras's type promotion maps float64 to float32 on every backend but
  TensorFlow (``dtypes.BIT64_TO_BIT32_DTYPE``), so some float64 scalar math
  would carry float32 rounding. The float64 runs set that entry to float64
  (:func:`keras_float64`), so Keras computes what it computes on TensorFlow.
- Keras fixes its dtype policy at first use, so each precision sets
  ``set_floatx`` and ``set_dtype_policy`` (the learning-rate variable and the
  schedules compute in ``floatx``).
- The torch backend runs its ``torch_*`` optimizers (``_foreach`` kernels),
  whose weight decay is ``w *= 1 - wd * lr``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

OUT = Path(__file__).with_name("optimizers.json")
STEPS = 5
#: (name, shape, gradient scale): norms about 0.5, 1.4, 4 and 0.5, so that
#: clipnorm=1 clips two of them and global_clipnorm=2 clips the whole.
VARIABLES = [("kernel", (3, 2), 0.2), ("bias", (2,), 1.0), ("gamma", (2, 1, 2), 2.0),
             ("scale", (), 0.5)]

# Learning rates large enough that 5 steps move the weights visibly.
BASE: dict[str, dict[str, Any]] = {
    "SGD": {"learning_rate": 0.1},
    "Adam": {"learning_rate": 0.01},
    "AdamW": {"learning_rate": 0.01, "weight_decay": 0.1},
    "RMSprop": {"learning_rate": 0.01},
    "Adagrad": {"learning_rate": 0.1},
    "Adamax": {"learning_rate": 0.01},
    "Nadam": {"learning_rate": 0.01},
    "Lion": {"learning_rate": 0.01},
    "Adadelta": {"learning_rate": 1.0},
    "Ftrl": {"learning_rate": 0.1},
}
SPECIFIC: dict[str, list[dict[str, Any]]] = {
    "SGD": [{"momentum": 0.9}, {"momentum": 0.9, "nesterov": True},
            {"momentum": 0.5, "nesterov": True}],
    "Adam": [{"amsgrad": True}, {"beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3}],
    "AdamW": [{"amsgrad": True}],
    "RMSprop": [{"centered": True}, {"momentum": 0.9}, {"centered": True, "momentum": 0.9},
                {"rho": 0.5}],
    "Adagrad": [{"initial_accumulator_value": 1.0, "epsilon": 1e-3}],
    "Adamax": [{"beta_1": 0.5, "beta_2": 0.9}],
    "Nadam": [{"beta_1": 0.5, "beta_2": 0.9}],
    "Lion": [{"beta_1": 0.5, "beta_2": 0.9}],
    "Adadelta": [{"rho": 0.5, "epsilon": 1e-3}],
    "Ftrl": [{"l1_regularization_strength": 0.01, "l2_regularization_strength": 0.1},
             {"learning_rate_power": -0.3, "initial_accumulator_value": 0.5, "beta": 0.2,
              "l2_shrinkage_regularization_strength": 0.05}],
}


def schedules(lr: float) -> dict[str, dict[str, Any]]:
    """Each schedule, with steps short enough to change within 5 updates."""
    def s(cls: str, **config: Any) -> dict[str, Any]:
        return {"class_name": cls, "config": config}

    return {
        "exponential": s("ExponentialDecay", initial_learning_rate=lr, decay_steps=2,
                         decay_rate=0.5),
        "exponential_staircase": s("ExponentialDecay", initial_learning_rate=lr,
                                   decay_steps=2, decay_rate=0.5, staircase=True),
        "piecewise": s("PiecewiseConstantDecay", boundaries=[1, 3],
                       values=[lr, lr / 2, lr / 10]),
        "polynomial": s("PolynomialDecay", initial_learning_rate=lr, decay_steps=3,
                        end_learning_rate=lr / 10, power=2.0),
        "polynomial_cycle": s("PolynomialDecay", initial_learning_rate=lr, decay_steps=2,
                              end_learning_rate=lr / 10, power=1.0, cycle=True),
        "inverse_time": s("InverseTimeDecay", initial_learning_rate=lr, decay_steps=2,
                          decay_rate=0.5),
        "cosine": s("CosineDecay", initial_learning_rate=lr, decay_steps=4, alpha=0.1),
        "cosine_warmup": s("CosineDecay", initial_learning_rate=lr / 10, decay_steps=3,
                           alpha=0.0, warmup_target=lr, warmup_steps=2),
        "cosine_restarts": s("CosineDecayRestarts", initial_learning_rate=lr,
                             first_decay_steps=2, t_mul=2.0, m_mul=0.5, alpha=0.1),
    }


def common_options(cls: str) -> dict[str, dict[str, Any]]:
    """Options every optimizer takes: clipping, decay (and exclusion), EMA,
    accumulation, and each schedule as the learning rate."""
    wd = 0.2 if cls == "AdamW" else 0.05
    lr = BASE[cls]["learning_rate"]
    options: dict[str, dict[str, Any]] = {
        "clipnorm": {"clipnorm": 1.0},
        "clipvalue": {"clipvalue": 0.5},
        "global_clipnorm": {"global_clipnorm": 2.0},
        "weight_decay": {"weight_decay": wd},
        "exclude_names": {"weight_decay": wd, "__exclude_names": ["bias", "sca"]},
        "exclude_list": {"weight_decay": wd, "__exclude_list": [0, 3]},
        "ema": {"use_ema": True, "ema_momentum": 0.9},
        "ema_overwrite": {"use_ema": True, "ema_momentum": 0.8, "ema_overwrite_frequency": 2},
        "accumulate": {"gradient_accumulation_steps": 2},
    }
    for label, schedule in schedules(lr).items():
        options[f"schedule_{label}"] = {"learning_rate": schedule}
    return options


def combined_options(cls: str) -> dict[str, dict[str, Any]]:
    """A few combinations, on two optimizers: accumulation with EMA, clipping, a schedule."""
    if cls not in ("Adam", "SGD"):
        return {}
    lr = BASE[cls]["learning_rate"]
    extra = {"momentum": 0.9} if cls == "SGD" else {}
    return {
        "accumulate_ema": {**extra, "gradient_accumulation_steps": 2, "use_ema": True,
                           "ema_momentum": 0.7, "ema_overwrite_frequency": 2},
        "accumulate_clipnorm": {**extra, "gradient_accumulation_steps": 3, "clipnorm": 1.0},
        "accumulate_schedule": {**extra, "gradient_accumulation_steps": 2,
                                "learning_rate": schedules(lr)["exponential"]},
        "decay_schedule_exclude": {**extra, "weight_decay": 0.1,
                                   "learning_rate": schedules(lr)["cosine"],
                                   "__exclude_names": ["gamma"]},
    }


def all_cases() -> list[dict[str, Any]]:
    """Every case: a name, a class name and a config (``__exclude_*`` keys are the
    arguments of ``exclude_from_weight_decay``, not of the constructor)."""
    cases = []
    for cls, base in BASE.items():
        cases.append({"name": f"{cls}", "class_name": cls, "config": dict(base)})
        for i, extra in enumerate(SPECIFIC[cls]):
            label = "_".join(f"{k}={v}" for k, v in extra.items())
            cases.append({"name": f"{cls}[{label}]", "class_name": cls,
                          "config": {**base, **extra}, "specific": i})
        for label, extra in {**common_options(cls), **combined_options(cls)}.items():
            cases.append({"name": f"{cls}[{label}]", "class_name": cls,
                          "config": {**base, **extra}})
    return cases


# --------------------------------------------------------------------------- schedules
SCHEDULE_STEPS = [*range(0, 31), 40, 49, 50, 51, 63, 64, 99, 100, 101, 150, 250, 1000, 12345]
SCHEDULE_CASES: dict[str, dict[str, Any]] = {
    "exponential": {"class_name": "ExponentialDecay",
                    "config": {"initial_learning_rate": 0.1, "decay_steps": 10,
                               "decay_rate": 0.5}},
    "exponential_staircase": {"class_name": "ExponentialDecay",
                              "config": {"initial_learning_rate": 0.1, "decay_steps": 3,
                                         "decay_rate": 0.96, "staircase": True}},
    "piecewise": {"class_name": "PiecewiseConstantDecay",
                  "config": {"boundaries": [10, 20, 50], "values": [0.1, 0.05, 0.01, 0.001]}},
    "piecewise_one": {"class_name": "PiecewiseConstantDecay",
                      "config": {"boundaries": [5], "values": [1.0, 0.5]}},
    "polynomial": {"class_name": "PolynomialDecay",
                   "config": {"initial_learning_rate": 0.1, "decay_steps": 20,
                              "end_learning_rate": 0.001}},
    "polynomial_power2": {"class_name": "PolynomialDecay",
                          "config": {"initial_learning_rate": 0.1, "decay_steps": 20,
                                     "end_learning_rate": 0.001, "power": 2.0}},
    "polynomial_sqrt": {"class_name": "PolynomialDecay",
                        "config": {"initial_learning_rate": 0.1, "decay_steps": 20,
                                   "end_learning_rate": 0.01, "power": 0.5}},
    "polynomial_cycle": {"class_name": "PolynomialDecay",
                         "config": {"initial_learning_rate": 0.1, "decay_steps": 7,
                                    "end_learning_rate": 0.001, "power": 1.0, "cycle": True}},
    "polynomial_cycle_power2": {"class_name": "PolynomialDecay",
                                "config": {"initial_learning_rate": 0.1, "decay_steps": 7,
                                           "end_learning_rate": 0.0, "power": 2.0,
                                           "cycle": True}},
    "inverse_time": {"class_name": "InverseTimeDecay",
                     "config": {"initial_learning_rate": 0.1, "decay_steps": 10,
                                "decay_rate": 0.5}},
    "inverse_time_staircase": {"class_name": "InverseTimeDecay",
                               "config": {"initial_learning_rate": 0.1, "decay_steps": 4,
                                          "decay_rate": 2.0, "staircase": True}},
    "cosine": {"class_name": "CosineDecay",
               "config": {"initial_learning_rate": 0.1, "decay_steps": 50}},
    "cosine_alpha": {"class_name": "CosineDecay",
                     "config": {"initial_learning_rate": 0.1, "decay_steps": 50, "alpha": 0.1}},
    "cosine_warmup": {"class_name": "CosineDecay",
                      "config": {"initial_learning_rate": 0.0, "decay_steps": 40, "alpha": 0.05,
                                 "warmup_target": 0.1, "warmup_steps": 10}},
    "cosine_warmup_from": {"class_name": "CosineDecay",
                           "config": {"initial_learning_rate": 0.01, "decay_steps": 30,
                                      "warmup_target": 0.2, "warmup_steps": 7}},
    "restarts": {"class_name": "CosineDecayRestarts",
                 "config": {"initial_learning_rate": 0.1, "first_decay_steps": 10}},
    "restarts_mul": {"class_name": "CosineDecayRestarts",
                     "config": {"initial_learning_rate": 0.1, "first_decay_steps": 10,
                                "t_mul": 2.0, "m_mul": 0.5, "alpha": 0.1}},
    "restarts_t1": {"class_name": "CosineDecayRestarts",
                    "config": {"initial_learning_rate": 0.1, "first_decay_steps": 8,
                               "t_mul": 1.0, "m_mul": 0.8}},
    "restarts_t15": {"class_name": "CosineDecayRestarts",
                     "config": {"initial_learning_rate": 0.05, "first_decay_steps": 6,
                                "t_mul": 1.5, "m_mul": 0.9, "alpha": 0.01}},
}


# ------------------------------------------------------------------------------ keras
def keras_float64(enabled: bool) -> None:
    """Make Keras's type promotion keep float64 on torch (see the module docstring)."""
    from keras.src.backend.common import dtypes

    dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64" if enabled else "float32"


def set_precision(keras: Any, dtype: str) -> None:
    keras_float64(dtype == "float64")
    keras.config.set_floatx(dtype)
    keras.config.set_dtype_policy(dtype)


def make_inputs(seed: int = 20240612) -> dict[str, Any]:
    """Initial weights and 5 steps of gradients (float64; float32 runs cast them)."""
    rng = np.random.default_rng(seed)
    init = [rng.normal(size=shape) for _, shape, _ in VARIABLES]
    grads = []
    for _ in range(STEPS):
        step = [rng.normal(size=shape) * scale for _, shape, scale in VARIABLES]
        step[0].reshape(-1)[0] = 0.0  # a weight that never gets a gradient: no 0/0
        grads.append(step)
    return {"variables": [[name, list(shape)] for name, shape, _ in VARIABLES],
            "init": [w.tolist() for w in init],
            "grads": [[g.tolist() for g in step] for step in grads]}


def build_keras_optimizer(keras: Any, case: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    config = dict(case["config"])
    exclude = {"var_names": config.pop("__exclude_names", None),
               "var_list": config.pop("__exclude_list", None)}
    lr = config.get("learning_rate")
    if isinstance(lr, dict):
        config["learning_rate"] = getattr(keras.optimizers.schedules, lr["class_name"])(
            **lr["config"])
    return getattr(keras.optimizers, case["class_name"])(**config), exclude


def flat(values: list[np.ndarray], dtype: str) -> list[float]:
    out = np.concatenate([np.asarray(v, dtype=np.float64).reshape(-1) for v in values])
    if dtype == "float32":  # the shortest decimal that reads back as the same float32
        return [float(str(np.float32(x))) for x in out]
    return out.tolist()


def run_keras_case(keras: Any, case: dict[str, Any], inputs: dict[str, Any],
                   dtype: str) -> dict[str, Any]:
    set_precision(keras, dtype)
    variables = [keras.Variable(np.asarray(w, dtype=dtype), name=name, dtype=dtype)
                 for (name, _), w in zip(inputs["variables"], inputs["init"])]
    opt, exclude = build_keras_optimizer(keras, case)
    if exclude["var_names"] or exclude["var_list"]:
        opt.exclude_from_weight_decay(
            var_list=[variables[i] for i in exclude["var_list"] or []] or None,
            var_names=exclude["var_names"])
    steps = []
    for step in range(STEPS):
        grads = [keras.ops.convert_to_tensor(np.asarray(g, dtype=dtype), dtype=dtype)
                 for g in inputs["grads"][step]]
        opt.apply_gradients(zip(grads, variables))
        steps.append(flat([v.numpy() for v in variables], dtype))
    result: dict[str, Any] = {"steps": steps}
    if dtype == "float64":
        result["optimizer_variables"] = [
            [v.path.split("/", 1)[-1], flat([v.numpy()], dtype)] for v in opt.variables]
        result["iterations"] = int(keras.ops.convert_to_numpy(opt.iterations))
    if case["config"].get("use_ema"):
        opt.finalize_variable_values(variables)
        result["finalized"] = flat([v.numpy() for v in variables], dtype)
    return result


def record_schedules(keras: Any) -> dict[str, Any]:
    out = {}
    for name, spec in SCHEDULE_CASES.items():
        values = {}
        for dtype in ("float64", "float32"):
            set_precision(keras, dtype)
            schedule = getattr(keras.optimizers.schedules, spec["class_name"])(**spec["config"])
            values[dtype] = flat([keras.ops.convert_to_numpy(schedule(step))
                                  for step in SCHEDULE_STEPS], dtype)
        set_precision(keras, "float64")
        schedule = getattr(keras.optimizers.schedules, spec["class_name"])(**spec["config"])
        out[name] = {**spec, "values": values, "keras_config": schedule.get_config(),
                     "serialized": keras.optimizers.schedules.serialize(schedule)}
    return out


def record_configs(keras: Any) -> dict[str, Any]:
    """Default ``get_config()`` of each optimizer, in float64 (an exact learning rate)."""
    set_precision(keras, "float64")
    out = {}
    for cls in BASE:
        config = getattr(keras.optimizers, cls)().get_config()
        config.pop("name")
        out[cls] = config
    return out


def main() -> None:
    if os.environ.get("KERAS_BACKEND") != "torch":
        sys.exit("Run with KERAS_BACKEND=torch (see the module docstring).")
    import keras

    inputs = make_inputs()
    cases = all_cases()
    for case in cases:
        case["keras"] = {dtype: run_keras_case(keras, case, inputs, dtype)
                         for dtype in ("float64", "float32")}
        print(case["name"], case["keras"]["float64"]["steps"][-1][:3])
    payload = {"keras_version": keras.__version__, "backend": keras.backend.backend(),
               "steps": STEPS, "inputs": inputs, "cases": cases,
               "schedule_steps": SCHEDULE_STEPS, "schedules": record_schedules(keras),
               "configs": record_configs(keras)}
    OUT.write_text(json.dumps(payload, separators=(",", ":")))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(cases)} cases)")


if __name__ == "__main__":
    main()
