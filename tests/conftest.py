"""Shared test setup: hypothesis profiles, and a clean global state per test."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

import minikeras as mk

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=50,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=30)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def _clean_global_state():
    """Every test starts in float32 with fresh automatic names and no leftover custom objects."""
    from minikeras._registry import CUSTOM_OBJECTS

    registered = dict(CUSTOM_OBJECTS)
    mk.config.set_floatx("float32")
    mk.backend.clear_session()
    yield
    mk.config.set_floatx("float32")
    mk.config.enable_interactive_logging()
    mk.config.set_image_data_format("channels_last")
    mk.config.set_max_epochs(None)
    mk.config.set_max_steps_per_epoch(None)
    mk.config.set_dtype_policy(None)
    CUSTOM_OBJECTS.clear()
    CUSTOM_OBJECTS.update(registered)


@pytest.fixture
def calls(monkeypatch):
    """Record (and block) anything that would run code from a file: os.system,
    subprocess.Popen, marshal.loads, pickle.loads. The list of calls is the fixture."""
    import marshal
    import pickle
    import subprocess

    seen: list[tuple[str, object]] = []

    def recorder(name):
        def fake(*args, **kwargs):
            seen.append((name, args))
            raise AssertionError(f"{name} was called with {args!r}")
        return fake

    monkeypatch.setattr(os, "system", recorder("os.system"))
    monkeypatch.setattr(subprocess, "Popen", recorder("subprocess.Popen"))
    monkeypatch.setattr(marshal, "loads", recorder("marshal.loads"))
    monkeypatch.setattr(pickle, "loads", recorder("pickle.loads"))
    return seen
