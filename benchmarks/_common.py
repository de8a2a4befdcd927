"""Shared pieces of the benchmark harness: workloads, data, weights, quality, memory.

Every peer builds the same network from a :class:`NetSpec`, starts from the same
initial weights (:func:`initial_weights`), trains on the same arrays (seeded, made
identically in every process) with the same optimizer settings and batch size, and
is scored by the same code (:func:`quality`) on its predicted probabilities.
"""

from __future__ import annotations

import dataclasses
import os
import resource
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent

#: Adam as every peer runs it (Keras's defaults; torch and scikit-learn are told epsilon).
LR, BETA_1, BETA_2, EPSILON = 1e-3, 0.9, 0.999, 1e-7
SEED = 1234


@dataclasses.dataclass(frozen=True)
class NetSpec:
    """A ReLU MLP: ``inputs -> hidden... -> outputs`` ending in sigmoid (1 unit) or softmax."""

    inputs: int
    hidden: tuple[int, ...]
    outputs: int
    batch_size: int

    @property
    def sizes(self) -> list[int]:
        return [self.inputs, *self.hidden, self.outputs]

    @property
    def binary(self) -> bool:
        return self.outputs == 1

    @property
    def num_params(self) -> int:
        s = self.sizes
        return sum(a * b + b for a, b in zip(s[:-1], s[1:]))

    def with_width(self, width: int) -> NetSpec:
        """The same net with its first hidden layer ``width`` wide (W4's width axis)."""
        return dataclasses.replace(self, hidden=(width, *self.hidden[1:]))


W1_NET = NetSpec(30, (16, 8), 1, 32)
W2_NET = NetSpec(784, (256, 128), 10, 128)
W2_ROWS, W2_TEST_ROWS = 60_000, 10_000


# ----------------------------------------------------------------------------- data
def breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's breast cancer set (569 x 30), standardized, float32; y in {0, 1}.

    Without scikit-learn, minikeras's bundled copy of the same file (rows shuffled).
    """
    try:
        from sklearn.datasets import load_breast_cancer

        x, y = load_breast_cancer(return_X_y=True)
    except ImportError:
        from minikeras.datasets import breast_cancer as bc

        (x, y), _ = bc.load_data(test_split=0.0)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return np.ascontiguousarray(x, dtype=np.float32), y.astype(np.float32)


def _teacher(rows: int, seed: int, features: int = 784, classes: int = 10
             ) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian inputs labelled by a fixed noisy linear teacher (learnable, not separable).

    Built without any temporary the size of ``x``, so that the process's RSS
    before a fit is the data plus the interpreter (the memory check relies on it).
    """
    teacher = np.random.default_rng(SEED).standard_normal((features, classes)) \
        .astype(np.float32) / np.float32(np.sqrt(features))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, features), dtype=np.float32)
    y = np.empty(rows, dtype=np.int64)
    for start in range(0, rows, 8192):
        part = x[start:start + 8192] @ teacher
        part += 0.5 * rng.standard_normal(part.shape, dtype=np.float32)
        y[start:start + 8192] = part.argmax(axis=1)
    return x, y


def synthetic_train(rows: int = W2_ROWS) -> tuple[np.ndarray, np.ndarray]:
    """W2's training set: ``rows`` x 784 float32, integer labels 0..9 (seeded)."""
    return _teacher(rows, SEED + 1)


def synthetic_test() -> tuple[np.ndarray, np.ndarray]:
    """W2's held-out set (10,000 rows, another seed, the same teacher)."""
    return _teacher(W2_TEST_ROWS, SEED + 2)


def initial_weights(net: NetSpec, seed: int = SEED) -> list[np.ndarray]:
    """Glorot-uniform kernels and zero biases, float32, as ``[k0, b0, k1, b1, ...]``.

    Kernels are ``(fan_in, fan_out)`` (Keras's layout); every peer loads these.
    """
    rng = np.random.default_rng(seed)
    out: list[np.ndarray] = []
    s = net.sizes
    for fan_in, fan_out in zip(s[:-1], s[1:]):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        out.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32))
        out.append(np.zeros(fan_out, dtype=np.float32))
    return out


def reference_forward(weights: list[np.ndarray], x: np.ndarray, binary: bool) -> np.ndarray:
    """The network's probabilities in float64 (the W3 agreement check)."""
    h = x.astype(np.float64)
    n = len(weights) // 2
    for i in range(n):
        h = h @ weights[2 * i].astype(np.float64) + weights[2 * i + 1]
        if i < n - 1:
            np.maximum(h, 0.0, out=h)
    if binary:
        return 1.0 / (1.0 + np.exp(-h))
    h -= h.max(axis=1, keepdims=True)
    np.exp(h, out=h)
    h /= h.sum(axis=1, keepdims=True)
    return h


# ----------------------------------------------------------------------------- quality
def quality(proba: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Accuracy and mean cross-entropy (probabilities clipped to [1e-7, 1 - 1e-7])."""
    p = np.asarray(proba, dtype=np.float64)
    eps = 1e-7
    if p.ndim == 1 or p.shape[1] == 1:
        p = np.clip(p.reshape(-1), eps, 1 - eps)
        t = np.asarray(y).reshape(-1)
        acc = float(np.mean((p > 0.5) == (t > 0.5)))
        loss = float(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)))
    else:
        labels = np.asarray(y).reshape(-1).astype(np.int64)
        acc = float(np.mean(p.argmax(axis=1) == labels))
        picked = np.clip(p[np.arange(len(labels)), labels], eps, 1.0)
        loss = float(-np.mean(np.log(picked)))
    return {"accuracy": acc, "loss": loss}


# ----------------------------------------------------------------------------- memory
def rss_bytes() -> int:
    """Resident set size now (Linux /proc; ru_maxrss elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def reset_peak_rss() -> bool:
    """Reset the kernel's high-water mark (VmHWM) to the current RSS; False if unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_bytes() -> int:
    """VmHWM: the peak RSS since start or since :func:`reset_peak_rss`."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


# ----------------------------------------------------------------------------- system
def blas_info() -> list[dict[str, Any]]:
    """threadpoolctl's view of the BLAS and OpenMP libraries loaded in this process."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"error": "threadpoolctl not installed"}]
    keep = ("user_api", "internal_api", "prefix", "version", "architecture", "num_threads",
            "threading_layer")
    return [{k: d.get(k) for k in keep if d.get(k) is not None} for d in threadpool_info()]


def describe_blas(info: list[dict[str, Any]]) -> str:
    """One line per library: ``openblas 0.3.31 SkylakeX, 2 threads (pthreads)``."""
    parts = []
    for d in info:
        if "error" in d:
            parts.append(d["error"])
            continue
        if d.get("user_api") != "blas":
            continue
        arch = d.get("architecture") or "?"
        parts.append(f"{d.get('internal_api')} {d.get('version')} kernel={arch}, "
                     f"{d.get('num_threads')} threads ({d.get('threading_layer', '?')})")
    return "; ".join(parts) or "no BLAS found by threadpoolctl"
