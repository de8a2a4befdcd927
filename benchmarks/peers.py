"""The libraries compared: one small adapter each, with the same four methods.

``setup()`` imports the library (an ImportError means "not installed"),
``build(net, weights, x, y)`` makes the network from the shared initial weights,
``fit(model, x, y, epochs)`` trains whole epochs (shuffled, the net's batch size,
Adam with the shared settings), ``predict(model, x)`` returns probabilities.
Each adapter is written the way a user of that library would write it.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

import numpy as np
from _common import BETA_1, BETA_2, EPSILON, LR, SEED, NetSpec


class Peer:
    """Base adapter; ``name`` is the key used in tables and on the command line."""

    name = "peer"
    #: What is timed, in words (kept in the JSON report with the peer's versions).
    notes = ""

    def setup(self) -> dict[str, Any]:
        """Import the library; returns version facts. ImportError: not installed."""
        return {}

    def build(self, net: NetSpec, weights: list[np.ndarray], x: np.ndarray, y: np.ndarray
              ) -> Any:
        """The network ``net`` holding ``weights`` (``[kernel, bias, ...]``), ready to train."""
        raise NotImplementedError

    def fit(self, model: Any, x: np.ndarray, y: np.ndarray, epochs: int) -> None:
        """Train ``epochs`` shuffled epochs over all of ``x``."""
        raise NotImplementedError

    def predict(self, model: Any, x: np.ndarray, batch_size: int | None = None) -> np.ndarray:
        """Probabilities; ``batch_size`` is passed on only where the library takes one."""
        raise NotImplementedError

    def set_weights(self, model: Any, weights: list[np.ndarray]) -> None:
        """Load ``[kernel, bias, ...]`` (Keras's layout) into the model."""
        raise NotImplementedError


# ----------------------------------------------------------------------------- keras-like
class KerasLike(Peer):
    """minikeras and Keras 3 run the very same user code (``import ... as keras``)."""

    def __init__(self, module: str) -> None:
        self.module_name = self.name = module
        self.notes = (f"`{module}.Sequential` + `compile(Adam, metrics=['accuracy'])` + "
                      "`fit(x, y, batch_size, epochs, verbose=0)`; `predict(x, verbose=0)`")

    def setup(self):
        self.keras = importlib.import_module(self.module_name)
        seed = getattr(getattr(self.keras, "utils", None), "set_random_seed", None)
        if seed is not None:
            seed(SEED)
        info: dict[str, Any] = {"version": getattr(self.keras, "__version__", "?")}
        backend = getattr(getattr(self.keras, "config", None), "backend", None)
        if callable(backend):
            info["backend"] = backend()
        return info

    def build(self, net, weights, x, y):
        k = self.keras
        layers = [k.Input(shape=(net.inputs,))]
        layers += [k.layers.Dense(h, activation="relu") for h in net.hidden]
        layers.append(k.layers.Dense(net.outputs,
                                     activation="sigmoid" if net.binary else "softmax"))
        model = k.Sequential(layers)
        model.compile(optimizer=k.optimizers.Adam(learning_rate=LR, beta_1=BETA_1,
                                                  beta_2=BETA_2, epsilon=EPSILON),
                      loss="binary_crossentropy" if net.binary
                      else "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        model.set_weights(weights)
        model._bench_batch = net.batch_size
        return model

    def fit(self, model, x, y, epochs):
        model.fit(x, y, batch_size=model._bench_batch, epochs=epochs, verbose=0, shuffle=True)

    def predict(self, model, x, batch_size=None):
        out = model.predict(x, batch_size=batch_size, verbose=0)
        return np.asarray(out)

    def set_weights(self, model, weights):
        model.set_weights(weights)


# ----------------------------------------------------------------------------- torch
class Torch(Peer):
    """An idiomatic PyTorch loop: logits + the fused loss, ``randperm`` slicing or a DataLoader.

    Like ``fit`` in the Keras-style peers, each step also tracks the running loss
    and accuracy (``loss.item()``, an argmax), as a tutorial loop does.
    """

    def __init__(self, dataloader: bool = False) -> None:
        self.dataloader = dataloader
        self.name = "torch-dataloader" if dataloader else "torch"
        self.notes = ("`DataLoader(TensorDataset(X, Y), batch_size, shuffle=True)`"
                      if dataloader else "`perm = torch.randperm(n)`; `X[perm[i:i+bs]]`") + \
            "; `zero_grad/forward/loss/backward/step`, running loss and accuracy via `.item()`"

    def setup(self):
        import torch

        self.torch = torch
        torch.manual_seed(SEED)
        return {"version": torch.__version__, "threads": torch.get_num_threads()}

    def build(self, net, weights, x, y):
        torch = self.torch
        nn = torch.nn
        mods: list[Any] = []
        sizes = net.sizes
        for a, b in zip(sizes[:-1], sizes[1:]):
            mods += [nn.Linear(a, b), nn.ReLU()]
        mods.pop()
        model = nn.Sequential(*mods)
        state = {"model": model, "net": net}
        self.set_weights(state, weights)
        state["opt"] = torch.optim.Adam(model.parameters(), lr=LR, betas=(BETA_1, BETA_2),
                                        eps=EPSILON)
        state["loss"] = nn.BCEWithLogitsLoss() if net.binary else nn.CrossEntropyLoss()
        return state

    def set_weights(self, state, weights):
        torch = self.torch
        linears = [m for m in state["model"] if isinstance(m, torch.nn.Linear)]
        with torch.no_grad():
            for i, lin in enumerate(linears):
                lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(weights[2 * i].T)))
                lin.bias.copy_(torch.from_numpy(weights[2 * i + 1]))

    def _targets(self, net: NetSpec, y: np.ndarray) -> Any:
        t = self.torch.from_numpy(y)
        return t.float().reshape(-1, 1) if net.binary else t.long()

    def fit(self, state, x, y, epochs):
        torch = self.torch
        model, opt, loss_fn, net = state["model"], state["opt"], state["loss"], state["net"]
        X, Y = torch.from_numpy(x), self._targets(net, y)
        n, bs = X.shape[0], net.batch_size
        if self.dataloader:
            loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, Y),
                                                 batch_size=bs, shuffle=True)
        model.train()
        for _ in range(epochs):
            running, correct = 0.0, 0
            if self.dataloader:
                batches = iter(loader)
            else:
                perm = torch.randperm(n)
                batches = ((X[idx], Y[idx]) for idx in (perm[i:i + bs] for i in range(0, n, bs)))
            for xb, yb in batches:
                opt.zero_grad()
                out = model(xb)
                loss = loss_fn(out, yb)
                loss.backward()
                opt.step()
                running += loss.item() * xb.shape[0]
                if net.binary:
                    correct += ((out > 0).float() == yb).sum().item()
                else:
                    correct += (out.argmax(1) == yb).sum().item()

    def predict(self, state, x, batch_size=None):
        torch = self.torch
        model = state["model"]
        model.eval()
        with torch.inference_mode():
            out = model(torch.from_numpy(x))
            out = torch.sigmoid(out) if state["net"].binary else torch.softmax(out, dim=1)
        return out.numpy()


# ----------------------------------------------------------------------------- scikit-learn
class Sklearn(Peer):
    """``MLPClassifier(solver="adam")`` with the same layers, no L2, no early stopping.

    ``max_iter`` is the epoch count of one timed fit (``tol=0`` and a huge
    ``n_iter_no_change`` so it never stops early); ``warm_start=True`` carries
    the weights from fit to fit (scikit-learn restarts Adam's moments at every
    ``fit``). The shared initial weights are loaded after a one-epoch fit on a
    few rows that sets up its internals.
    """

    name = "sklearn"
    notes = ("`MLPClassifier(hidden_layer_sizes, solver='adam', alpha=0, batch_size, "
             "max_iter=epochs, tol=0, n_iter_no_change=1e9, warm_start=True)`")

    def setup(self):
        import sklearn
        from sklearn.neural_network import MLPClassifier

        self.cls = MLPClassifier
        return {"version": sklearn.__version__}

    def build(self, net, weights, x, y):
        from sklearn.exceptions import ConvergenceWarning

        est = self.cls(hidden_layer_sizes=net.hidden, activation="relu", solver="adam",
                       alpha=0.0, batch_size=net.batch_size, learning_rate_init=LR,
                       beta_1=BETA_1, beta_2=BETA_2, epsilon=EPSILON, max_iter=1,
                       shuffle=True, random_state=SEED, tol=0.0, n_iter_no_change=10**9,
                       early_stopping=False, warm_start=True)
        rows = min(len(x), 1024)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(x[:rows], y[:rows])
        self.set_weights(est, weights)
        return est

    def set_weights(self, est, weights):
        est.coefs_ = [w.copy() for w in weights[0::2]]
        est.intercepts_ = [b.copy() for b in weights[1::2]]

    def fit(self, est, x, y, epochs):
        from sklearn.exceptions import ConvergenceWarning

        est.max_iter = epochs
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(x, y)

    def predict(self, est, x, batch_size=None):
        p = est.predict_proba(x)
        return p[:, 1] if p.shape[1] == 2 and len(est.classes_) == 2 else p


# ----------------------------------------------------------------------------- plain NumPy
class NumpyLoop(Peer):
    """The loop one writes by hand: fancy-index each batch, forward, fused output
    gradient, backward, Keras's Adam per weight, running loss and accuracy."""

    name = "numpy"
    notes = "hand-written loop: `x[idx]` gather, matmuls, fused output gradient, Adam per array"

    def setup(self):
        return {"version": np.__version__}

    def build(self, net, weights, x, y):
        state = {"net": net, "rng": np.random.default_rng(SEED), "t": 0}
        self.set_weights(state, weights)
        state["m"] = [np.zeros_like(p) for p in state["params"]]
        state["v"] = [np.zeros_like(p) for p in state["params"]]
        return state

    def set_weights(self, state, weights):
        state["params"] = [w.copy() for w in weights]

    def fit(self, state, x, y, epochs):
        net, params, ms, vs = state["net"], state["params"], state["m"], state["v"]
        n, bs, layers = x.shape[0], net.batch_size, len(params) // 2
        for _ in range(epochs):
            perm = state["rng"].permutation(n)
            running, correct = 0.0, 0
            for start in range(0, n, bs):
                idx = perm[start:start + bs]
                xb, yb = x[idx], y[idx]
                acts = [xb]
                h = xb
                for j in range(layers):
                    h = h @ params[2 * j] + params[2 * j + 1]
                    if j < layers - 1:
                        np.maximum(h, 0, out=h)
                    acts.append(h)
                nb = xb.shape[0]
                if net.binary:
                    p = 1.0 / (1.0 + np.exp(-h[:, 0]))
                    pc = np.clip(p, 1e-7, 1 - 1e-7)
                    running += float(-np.sum(yb * np.log(pc) + (1 - yb) * np.log(1 - pc)))
                    correct += int(np.sum((p > 0.5) == (yb > 0.5)))
                    g = ((p - yb) / nb)[:, None].astype(h.dtype)
                else:
                    h = h - h.max(axis=1, keepdims=True)
                    e = np.exp(h)
                    p = e / e.sum(axis=1, keepdims=True)
                    rows = np.arange(nb)
                    running += float(-np.sum(np.log(np.clip(p[rows, yb], 1e-7, 1.0))))
                    correct += int(np.sum(p.argmax(axis=1) == yb))
                    g = p
                    g[rows, yb] -= 1.0
                    g /= nb
                grads: list[np.ndarray] = [None] * len(params)  # type: ignore[list-item]
                for j in range(layers - 1, -1, -1):
                    grads[2 * j] = acts[j].T @ g
                    grads[2 * j + 1] = g.sum(axis=0)
                    if j > 0:
                        g = g @ params[2 * j].T
                        g *= acts[j] > 0
                state["t"] += 1
                t = state["t"]
                alpha = LR * np.sqrt(1 - BETA_2**t) / (1 - BETA_1**t)
                for p_, g_, m_, v_ in zip(params, grads, ms, vs):
                    m_ += (g_ - m_) * (1 - BETA_1)
                    v_ += (g_ * g_ - v_) * (1 - BETA_2)
                    p_ -= (alpha * m_ / (np.sqrt(v_) + EPSILON)).astype(p_.dtype)

    def predict(self, state, x, batch_size=None):
        params = state["params"]
        layers = len(params) // 2
        h = x
        for j in range(layers):
            h = h @ params[2 * j] + params[2 * j + 1]
            if j < layers - 1:
                np.maximum(h, 0, out=h)
        if state["net"].binary:
            return 1.0 / (1.0 + np.exp(-h))
        h -= h.max(axis=1, keepdims=True)
        np.exp(h, out=h)
        h /= h.sum(axis=1, keepdims=True)
        return h


# ----------------------------------------------------------------------------- GEMMs alone
class Gemm(Peer):
    """Not a library: the matrix products of the net alone, into preallocated outputs.

    ``fit`` runs one epoch's forward and backward products (contiguous batches,
    no gather, no activation, loss or optimizer; the first layer's dL/dx skipped);
    ``predict`` runs the three forward products over all rows at once.
    """

    name = "gemm"
    notes = "matmuls only, `np.matmul(..., out=)`: the floor that BLAS sets"

    def setup(self):
        return {"version": np.__version__}

    def build(self, net, weights, x, y):
        return {"net": net, "w": [w for w in weights[0::2]], "bufs": {}}

    def set_weights(self, state, weights):
        state["w"] = [w for w in weights[0::2]]

    def _buffers(self, state: dict[str, Any], rows: int) -> list[np.ndarray]:
        bufs = state["bufs"].get(rows)
        if bufs is None:
            sizes = state["net"].sizes
            dt = state["w"][0].dtype
            acts = [np.empty((rows, s), dt) for s in sizes[1:]]
            grads = [np.empty((rows, s), dt) for s in sizes[1:-1]]
            kgrads = [np.empty_like(w) for w in state["w"]]
            bufs = state["bufs"][rows] = [acts, grads, kgrads]
        return bufs

    def fit(self, state, x, y, epochs):
        w = state["w"]
        layers = len(w)
        n, bs = x.shape[0], state["net"].batch_size
        for _ in range(epochs):
            for start in range(0, n, bs):
                xb = x[start:start + bs]
                acts, grads, kgrads = self._buffers(state, xb.shape[0])
                h = xb
                for j in range(layers):
                    np.matmul(h, w[j], out=acts[j])
                    h = acts[j]
                g = acts[-1]  # stands in for dL/dz of the output
                for j in range(layers - 1, -1, -1):
                    below = xb if j == 0 else acts[j - 1]
                    np.matmul(below.T, g, out=kgrads[j])
                    if j > 0:
                        np.matmul(g, w[j].T, out=grads[j - 1])
                        g = grads[j - 1]

    def predict(self, state, x, batch_size=None):
        w = state["w"]
        key = ("predict", x.shape[0])
        outs = state["bufs"].get(key)
        if outs is None:
            outs = state["bufs"][key] = [np.empty((x.shape[0], a.shape[1]), a.dtype) for a in w]
        h = x
        for j, wj in enumerate(w):
            np.matmul(h, wj, out=outs[j])
            h = outs[j]
        return h


def make_peer(name: str) -> Peer:
    """The adapter called ``name`` (see :data:`PEERS`)."""
    if name not in PEERS:
        raise KeyError(f"unknown peer {name!r}; known: {', '.join(PEERS)}")
    return PEERS[name]()


PEERS = {
    "minikeras": lambda: KerasLike("minikeras"),
    "keras": lambda: KerasLike("keras"),
    "torch": lambda: Torch(dataloader=False),
    "torch-dataloader": lambda: Torch(dataloader=True),
    "sklearn": Sklearn,
    "numpy": NumpyLoop,
    "gemm": Gemm,
}

#: Environment each peer's worker process starts with (on top of the parent's).
PEER_ENV = {"keras": {"KERAS_BACKEND": "torch"}}

