"""A private Keras cache per test, with every download refused (tests have no network)."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest


@pytest.fixture
def offline_keras_home(tmp_path, monkeypatch):
    """``KERAS_HOME`` in the test's folder; ``urlopen`` raises as it would offline."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))

    def refuse(url, *args, **kwargs):
        raise urllib.error.URLError("network disabled in tests")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return tmp_path / "keras_home"
