"""The registry: names, aliases, classes, instances, config dicts and "did you mean"."""

from __future__ import annotations

import numpy as np
import pytest

import minikeras as mk
from minikeras._registry import CUSTOM_OBJECTS, Registry, register_keras_serializable, serialize
from minikeras._registry import suggest as suggest_name


class Thing:
    def __init__(self, size: int = 1) -> None:
        self.size = size

    def get_config(self):
        return {"size": self.size}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def make_registry() -> Registry:
    reg = Registry("thing")
    reg.register("small_thing", "tiny")(Thing)
    reg.alias("wee", "small_thing")
    return reg


def test_resolves_names_aliases_classes_instances_and_configs():
    reg = make_registry()
    assert reg.names() == ["small_thing", "tiny", "wee"]
    for name in ("small_thing", "tiny", "wee", "Thing"):
        assert isinstance(reg.get(name), Thing)
        assert name in reg
    assert reg.get(None) is None
    instance = Thing(3)
    assert reg.get(instance) is instance
    assert isinstance(reg.get(Thing), Thing)
    built = reg.get({"class_name": "Thing", "config": {"size": 5}})
    assert isinstance(built, Thing) and built.size == 5
    assert serialize(built) == {"class_name": "Thing", "config": {"size": 5}}
    assert 3 not in reg and "other" not in reg


def test_unknown_name_suggests_and_lists_the_known_names():
    with pytest.raises(ValueError) as info:
        make_registry().get("smal_thing")
    assert str(info.value) == ("Unknown thing 'smal_thing'. Did you mean 'small_thing'?\n"
                               "  Known things: small_thing, tiny, wee")
    with pytest.raises(ValueError, match=r"^Unknown thing 'zzz'\.\n  Known things"):
        make_registry().get("zzz")


def test_config_dict_needs_a_class_name():
    with pytest.raises(ValueError, match="needs a 'class_name' key"):
        make_registry().get({"config": {}})
    with pytest.raises(ValueError, match="must be a dict"):
        make_registry().get({"class_name": "Thing", "config": [1]})


def test_ignore_case_registry():
    reg = Registry("optimizer", ignore_case=True)
    reg.register("adam")(Thing)
    assert isinstance(reg.get("ADAM"), Thing)
    with pytest.raises(ValueError, match="Did you mean 'adam'"):
        reg.get("Adma")


@pytest.mark.parametrize("typo, meant", [("adma", "adam"), ("rleu", "relu"), ("l1_l3", "l1_l2"),
                                         ("sigmoud", "sigmoid"), ("mse_", "mse")])
def test_suggest_prefers_a_typo_over_shared_letters(typo, meant):
    pool = ["adam", "adamax", "relu", "relu6", "l1", "l2", "l1_l2", "sigmoid", "mse", "msle"]
    assert suggest_name(typo, pool) == meant
    assert suggest_name("qqqqqqq", pool) is None


# The five kinds issue 3 names: each answers an unknown name with a suggestion and the list.
@pytest.mark.parametrize("get, typo, meant, known", [
    (mk.activations.get, "rleu", "relu", "activations"),
    (mk.losses.get, "categorical_crossentropi", "categorical_crossentropy", "losses"),
    (mk.optimizers.get, "adma", "adam", "optimizers"),
    (mk.initializers.get, "he_normall", "he_normal", "initializers"),
    (mk.regularizers.get, "l1_l3", "l1_l2", "regularizers"),
    (mk.constraints.get, "non_negg", "non_neg", "constraints"),
])
def test_every_kind_suggests(get, typo, meant, known):
    with pytest.raises(ValueError) as info:
        get(typo)
    message = str(info.value)
    assert f"Did you mean {meant!r}?" in message
    assert f"Known {known}: " in message and meant in message.split("Known")[1]


def test_optimizer_names_ignore_case():
    assert type(mk.optimizers.get("Adam")).__name__ == "Adam"
    assert type(mk.optimizers.get("RMSprop")).__name__ == "RMSprop"


def test_registered_custom_objects_resolve_and_stay_out_of_the_names():
    @register_keras_serializable(package="Tests")
    class Cube(mk.activations.Activation):
        name = "cube_for_registry_test"

        def forward(self, x):
            return x**3

        def backward(self, x, y, grad_y):
            return grad_y * 3 * x * x

    try:
        act = mk.activations.get("Cube")
        assert isinstance(act, Cube)
        np.testing.assert_allclose(np.asarray(act(np.array([2.0]))), [8.0])
        assert "Cube" not in mk.activations.ACTIVATIONS.names()
        assert CUSTOM_OBJECTS["Tests>Cube"] is Cube
    finally:
        CUSTOM_OBJECTS.pop("Cube", None)
        CUSTOM_OBJECTS.pop("Tests>Cube", None)


@pytest.mark.parametrize("module, make", [
    ("losses", lambda: mk.losses.Huber(delta=2.0)),
    ("metrics", lambda: mk.metrics.AUC(num_thresholds=50)),
    ("initializers", lambda: mk.initializers.GlorotUniform(seed=3)),
    ("regularizers", lambda: mk.regularizers.L1L2(0.1, 0.2)),
    ("constraints", lambda: mk.constraints.MaxNorm(2))])
def test_module_serialize_writes_keras_form_and_reads_it_back(module, make):
    obj = make()
    spec = getattr(mk, module).serialize(obj)
    assert spec == {"module": f"keras.{module}", "class_name": type(obj).__name__,
                    "config": obj.get_config(), "registered_name": None}  # as Keras writes it
    back = getattr(mk, module).deserialize(spec)
    assert type(back) is type(obj) and back.get_config() == obj.get_config()
