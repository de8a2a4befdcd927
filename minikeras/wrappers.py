"""scikit-learn estimators around minikeras models (``mk.wrappers``).

``SKLearnClassifier``, ``SKLearnRegressor`` and ``SKLearnTransformer`` take Keras 3's
arguments (``model``,
``warm_start``, ``model_kwargs``, ``fit_kwargs``), where ``model`` is a compiled
model or a callable returning one, and work in ``Pipeline``, ``GridSearchCV``,
``cross_val_score`` and ``clone``. Where Keras 3's wrappers fall short, these do
what scikit-learn expects (each a deliberate difference):

- ``fit_kwargs`` survive ``clone``, so every cross-validation fold trains the
  epochs asked for (Keras 3's ``__sklearn_clone__`` drops them: one epoch).
- ``get_params(deep=True)`` lists ``model_kwargs__<name>`` (each entry, and each
  default of the ``model`` callable's own parameters) and ``fit_kwargs__<name>``;
  ``set_params`` sets them, so a grid can search hidden sizes or epochs.
- The ``model`` callable is called with only the parameters it takes: ``X`` and
  ``y`` (or ``x``) when it names them or takes ``**kwargs``, plus ``model_kwargs``.
- A binary classifier may end in ``Dense(1, activation="sigmoid")``; a K-class one
  in ``Dense(K)`` with a categorical (one-hot targets) or a sparse categorical
  (integer targets) loss. ``predict_proba`` gives one column per class;
  ``decision_function`` gives the log-odds of ``classes_[1]`` for two classes.
- ``random_state`` (an addition) seeds the model's weights and shuffling, so a
  fit can be repeated exactly; ``None`` draws from minikeras's global seed.
- ``sample_weight`` rows of weight 0 are left out of training (scikit-learn's
  meaning of a zero weight); ``class_weight`` in ``fit_kwargs`` is keyed by label (or,
  for labels that are not integers, by class index, as Keras keys it).
- ``fit`` is silent unless ``verbose`` is given in ``fit_kwargs`` or to ``fit``.
- A ``model`` instance is cloned (fresh weights, same compile settings) on every
  fit and never trained in place; ``warm_start=True`` continues training the
  model of the previous fit instead (Keras 3 clones it anyway).

The callable receives ``y`` as Keras 3 passes it: one-hot ``(n, n_classes)`` for
the classifier, ``(n, n_outputs)`` for the regressor.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import numbers
import re
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import config
from . import losses as losses_mod
from .callbacks import History
from .models import Model, clone_model

_NEEDS = "minikeras.wrappers needs scikit-learn >= 1.6: pip install 'scikit-learn>=1.6'"
try:
    import sklearn
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
    from sklearn.utils import check_random_state
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import _check_sample_weight, check_is_fitted
    from sklearn.utils.validation import validate_data as _sk_validate_data
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(_NEEDS) from exc
# 1.6 brought validate_data and __sklearn_tags__, which these wrappers are written on.
if tuple(int(part) for part in re.findall(r"\d+", sklearn.__version__)[:2]) < (1, 6):
    raise ImportError(f"{_NEEDS} (found {sklearn.__version__}).")  # pragma: no cover

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]

_WEIGHTS_ARE_NOT_COPIES = (
    "mini-batch training: a sample of weight k is one row of a batch whose loss counts k times, "
    "not k rows spread over the batches, and Keras's loss divides by the number of rows, not "
    "the sum of the weights; the two fits agree in distribution, not to rtol 1e-7.")

#: scikit-learn checks (``check_estimator``, scikit-learn 1.6 to 1.9) these wrappers
#: cannot pass, with the reason; the test suite passes this as ``expected_failed_checks``.
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {
    name: {"check_sample_weight_equivalence_on_dense_data": _WEIGHTS_ARE_NOT_COPIES,
           "check_sample_weight_equivalence_on_sparse_data": _WEIGHTS_ARE_NOT_COPIES}
    for name in ("SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer")}

_X_NAMES = ("X", "x")
_VALIDATION = {"accept_sparse": "csr", "dtype": (np.float64, np.float32)}


def _fit_parameters() -> set[str]:
    names = set(inspect.signature(Model.fit).parameters)
    return names - {"self", "x", "y", "kwargs"}


@contextlib.contextmanager
def _seeded(random_state: Any) -> Iterator[None]:
    """Models built inside draw their weights and shuffles from ``random_state``."""
    if random_state is None:
        yield
        return
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        seed = int(random_state)
    else:  # a RandomState: a new seed each fit, as scikit-learn's estimators do
        seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    # Only minikeras's own seed sequence changes (not Python's or NumPy's global
    # generators), and only while the model is built; the user's seed comes back.
    saved = config._seed_sequence
    config._seed_sequence = np.random.SeedSequence(seed)
    try:
        yield
    finally:
        config._seed_sequence = saved


def _signature(fn: Any) -> inspect.Signature | None:
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None


def _call_model_fn(fn: Callable[..., Any], X: Any, y: Any, kwargs: dict[str, Any]) -> Any:
    """Call ``fn`` with ``X``/``y`` when it takes them, and with ``kwargs``."""
    sig = _signature(fn)
    if sig is None:
        return fn(X=X, y=y, **kwargs)
    params = sig.parameters
    named = {name for name, p in params.items()
             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    var_kw = any(p.kind == p.VAR_KEYWORD for p in params.values())
    if not var_kw:
        unknown = sorted(set(kwargs) - named)
        if unknown:
            raise TypeError(
                f"model_kwargs {unknown} are not parameters of the model function "
                f"{getattr(fn, '__name__', fn)!r}; it takes {sorted(named)}.")
    call = dict(kwargs)
    x_name = next((n for n in _X_NAMES if n in named), "X" if var_kw else None)
    if x_name is not None and x_name not in call:
        call[x_name] = X
    if ("y" in named or var_kw) and "y" not in call:
        call["y"] = y
    return fn(**call)


def _clone_compiled(model: Model) -> Model:
    """A fresh copy of ``model``: same layers and compile settings, new weights and state."""
    clone = clone_model(model)
    if model.compiled:
        optimizer = type(model.optimizer).from_config(model.optimizer.get_config())
        clone.compile(optimizer=optimizer, loss=copy.deepcopy(model.loss),
                      metrics=copy.deepcopy(model._metric_specs) or None,
                      weighted_metrics=copy.deepcopy(model._weighted_specs) or None,
                      loss_weights=model._loss_weight)
    return clone


def _is_sparse_loss(loss: Any) -> bool:
    if isinstance(loss, losses_mod.SparseCategoricalCrossentropy):
        return True
    return "sparse" in getattr(getattr(loss, "fn", None), "__name__", "")


class SKLBase(BaseEstimator):
    """Shared parts of the scikit-learn wrappers (Keras 3's ``SKLBase``).

    Args:
        model: a compiled ``mk.Sequential`` (cloned before each fit), or a callable
            returning one, called with those of ``X``, ``y`` and ``model_kwargs``
            that it takes.
        warm_start: whether ``fit`` continues training the model of the previous fit.
        model_kwargs: keyword arguments for the ``model`` callable.
        fit_kwargs: keyword arguments for ``model.fit`` (``epochs``, ``batch_size``...);
            those given to ``fit`` itself take precedence.
        random_state: seed of the model's initial weights and shuffling (``None``:
            minikeras's global seed). It stands in for minikeras's global seed while
            the model is built, so fits in parallel threads (not processes) should
            build their models one at a time.

    Attributes:
        model_: the fitted model.
        history_: the ``History`` of the fit, as Keras 3 keeps it (``history_.history``
            is ``{name: [value per epoch]}``, over all warm-started fits); it also
            reads as that dict (``history_["loss"]``).
        n_features_in_, feature_names_in_: as scikit-learn sets them.
    """

    def __init__(self, model: Any, warm_start: bool = False,
                 model_kwargs: dict[str, Any] | None = None,
                 fit_kwargs: dict[str, Any] | None = None, random_state: Any = None) -> None:
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs
        self.random_state = random_state

    # ------------------------------------------------------------------ params
    def _model_fn_defaults(self) -> dict[str, Any]:
        if isinstance(self.model, Model) or not callable(self.model):
            return {}
        sig = _signature(self.model)
        if sig is None:
            return {}
        return {name: p.default for name, p in sig.parameters.items()
                if p.default is not p.empty and name not in (*_X_NAMES, "y")
                and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's parameters; with ``deep``, also ``model_kwargs__<name>``
        (each model argument, given or defaulted) and ``fit_kwargs__<name>``."""
        params = super().get_params(deep=deep)
        if not deep:
            return params
        model_kwargs = self.model_kwargs if isinstance(self.model_kwargs, dict) else {}
        for name, value in {**self._model_fn_defaults(), **model_kwargs}.items():
            params[f"model_kwargs__{name}"] = value
        if isinstance(self.fit_kwargs, dict):
            for name, value in self.fit_kwargs.items():
                params[f"fit_kwargs__{name}"] = value
        return params

    def set_params(self, **params: Any) -> SKLBase:
        """Set parameters, including ``model_kwargs__<name>`` and ``fit_kwargs__<name>``."""
        nested: dict[str, dict[str, Any]] = {"model_kwargs": {}, "fit_kwargs": {}}
        plain = {}
        for key, value in params.items():
            head, _, name = key.partition("__")
            if head in nested and name:
                nested[head][name] = value
            else:
                plain[key] = value
        super().set_params(**plain)
        if nested["model_kwargs"]:
            sig = None if isinstance(self.model, Model) else _signature(self.model)
            if sig is not None and not any(p.kind == p.VAR_KEYWORD
                                           for p in sig.parameters.values()):
                unknown = sorted(set(nested["model_kwargs"]) - set(sig.parameters))
                if unknown:
                    raise ValueError(
                        f"Invalid parameter(s) {['model_kwargs__' + n for n in unknown]} for "
                        f"estimator {type(self).__name__}: the model function takes "
                        f"{sorted(set(sig.parameters) - {*_X_NAMES, 'y'})}.")
            self.model_kwargs = {**(self.model_kwargs or {}), **nested["model_kwargs"]}
        if nested["fit_kwargs"]:
            unknown = sorted(set(nested["fit_kwargs"]) - _fit_parameters())
            if unknown:
                raise ValueError(
                    f"Invalid parameter(s) {['fit_kwargs__' + n for n in unknown]} for estimator "
                    f"{type(self).__name__}: model.fit takes {sorted(_fit_parameters())}.")
            self.fit_kwargs = {**(self.fit_kwargs or {}), **nested["fit_kwargs"]}
        return self

    # ------------------------------------------------------------------ tags
    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        # Not Keras's non_deterministic tag: with `random_state` a fit repeats exactly.
        return tags

    @property
    def epoch_(self) -> int:
        """Epochs trained so far (over warm-started fits)."""
        history = getattr(self, "history_", None)
        return 0 if history is None else len(history.history.get("loss", []))

    # ------------------------------------------------------------------ fit
    def _check_constructor_args(self) -> None:
        if not isinstance(self.model, Model) and not callable(self.model):
            raise TypeError("`model` must be a compiled minikeras model or a callable "
                            f"returning one. Received: model={self.model!r}")
        for name in ("model_kwargs", "fit_kwargs"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, dict):
                raise TypeError(f"`{name}` must be a dict or None. Received: {name}={value!r}")

    def _build_model(self, X: Any, y_for_model: np.ndarray) -> Model:
        with _seeded(self.random_state):
            if isinstance(self.model, Model):
                model = _clone_compiled(self.model)
            else:
                model = _call_model_fn(self.model, X, y_for_model, self.model_kwargs or {})
            if not isinstance(model, Model):
                raise TypeError("The `model` callable must return a minikeras model; it "
                                f"returned {type(model).__name__}.")
            if not model.compiled or model._loss is None or model.optimizer is None:
                raise RuntimeError("Given model needs to be compiled, and have a loss and an "
                                   "optimizer: call model.compile(optimizer, loss) before "
                                   "returning it.")
            if not model.built:
                model.build((None, X.shape[1]))
        return model

    def _warm(self) -> bool:
        return bool(self.warm_start) and hasattr(self, "model_")

    def _validate_X(self, X: Any, reset: bool) -> Any:
        return _sk_validate_data(self, X, reset=reset, **_VALIDATION)

    def _fit_arguments(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        fit_kwargs = {"verbose": 0, **(self.fit_kwargs or {}), **kwargs}
        for reserved in ("x", "y", "sample_weight"):
            if reserved in fit_kwargs:
                raise TypeError(f"`{reserved}` cannot be given in fit_kwargs: pass it to "
                                "fit(X, y, sample_weight=...).")
        if fit_kwargs.get("validation_data") is not None:
            fit_kwargs["validation_data"] = self._encode_validation(fit_kwargs["validation_data"])
        return fit_kwargs

    def _encode_validation(self, data: Any) -> tuple[Any, ...]:
        data = tuple(data)
        if len(data) not in (2, 3):
            raise ValueError("`validation_data` must be (X, y) or (X, y, sample_weight).")
        X = self._validate_X(data[0], reset=False)
        return (X, self._encode_target(np.asarray(data[1])), *data[2:])

    def fit(self, X: Any, y: Any, sample_weight: Any = None, **kwargs: Any) -> SKLBase:
        """Fit the model on ``X`` (n_samples, n_features) and ``y``.

        Args:
            X: array-like, sparse matrix or DataFrame of shape (n_samples, n_features).
            y: the targets.
            sample_weight: per-sample weights (rows of weight 0 are left out).
            **kwargs: arguments of ``model.fit`` (override ``fit_kwargs``).

        Returns:
            self.
        """
        before = dict(self.__dict__)
        try:
            return self._fit(X, y, sample_weight, kwargs)
        except BaseException:
            # A failed fit leaves the estimator as it was (a model it was warm-
            # training in place excepted), not half-updated with the new classes.
            self.__dict__.clear()
            self.__dict__.update(before)
            raise

    def _fit(self, X: Any, y: Any, sample_weight: Any, kwargs: dict[str, Any]) -> SKLBase:
        self._check_constructor_args()
        warm = self._warm()
        X, y = self._validate_fit_data(X, y, reset=not warm)
        y_model = self._prepare_target(y, reset=not warm)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                                 ensure_non_negative=True)
            keep = sample_weight != 0
            if not keep.any():
                raise ValueError("sample_weight is 0 for every sample: nothing to fit.")
            if not keep.all():
                X, y, y_model = X[keep], y[keep], y_model[keep]
                sample_weight = sample_weight[keep]
                if not warm:
                    self._check_weighted_target(y)
        if warm:
            model = self.model_
        else:
            model = self._build_model(X, y_model)
            self._set_encoding(model)
        y_fit = self._encode_target(y)
        fit_kwargs = self._fit_arguments(kwargs)
        history = model.fit(X, y_fit, sample_weight=sample_weight, **fit_kwargs)
        self.model_ = model
        if warm:
            self.history_.extend(history)
        else:
            self.history_ = _FitHistory(history)
        return self

    def _raw_predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return np.asarray(self.model_.predict(X, verbose=0))

    # hooks for the subclasses
    def _validate_fit_data(self, X: Any, y: Any, reset: bool) -> tuple[Any, np.ndarray]:
        raise NotImplementedError

    def _prepare_target(self, y: np.ndarray, reset: bool) -> np.ndarray:
        raise NotImplementedError

    def _check_weighted_target(self, y: np.ndarray) -> None:
        pass

    def _set_encoding(self, model: Model) -> None:
        raise NotImplementedError

    def _encode_target(self, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class SKLearnClassifier(ClassifierMixin, SKLBase):
    """A scikit-learn classifier around a minikeras model (Keras 3's name and arguments).

    The model ends in ``Dense(1, activation="sigmoid")`` for two classes (with
    ``binary_crossentropy``), or in one unit per class: softmax with
    ``categorical_crossentropy`` (one-hot targets) or
    ``sparse_categorical_crossentropy`` (integer targets). Losses with
    ``from_logits=True`` are read as logits. Labels may be any sortable values
    (strings, integers); ``predict`` returns them.

    Args:
        model: a compiled ``mk.Sequential`` or a callable returning one, called with
            those of ``X``, ``y`` (one-hot, as Keras 3 passes it) and
            ``model_kwargs`` that it takes.
        warm_start: whether ``fit`` continues training the previous fit's model.
        model_kwargs: keyword arguments for the ``model`` callable.
        fit_kwargs: keyword arguments for ``model.fit`` (``fit``'s own take precedence).
        random_state: seed of initial weights and shuffling (``None``: the global seed).

    Attributes:
        classes_: the sorted class labels.
        model_, history_, n_features_in_, feature_names_in_: see ``SKLBase``.

    Example:
        >>> def build(hidden=16):
        ...     model = mk.Sequential([mk.layers.Dense(hidden, activation="relu"),
        ...                            mk.layers.Dense(1, activation="sigmoid")])
        ...     model.compile(optimizer="adam", loss="binary_crossentropy")
        ...     return model
        >>> clf = SKLearnClassifier(build, fit_kwargs={"epochs": 20})
        >>> GridSearchCV(clf, {"model_kwargs__hidden": [8, 32]}).fit(X, y)
    """

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        tags.classifier_tags.poor_score = True  # Keras's tag: a few epochs by default
        return tags

    def _validate_fit_data(self, X: Any, y: Any, reset: bool) -> tuple[Any, np.ndarray]:
        X, y = _sk_validate_data(self, X, y, reset=reset, **_VALIDATION)
        check_classification_targets(y)
        return X, y

    def _prepare_target(self, y: np.ndarray, reset: bool) -> np.ndarray:
        if reset:
            classes = np.unique(y)
            if len(classes) < 2:
                raise ValueError("Classifier can't train when only one class is present: "
                                 f"every sample (of non-zero weight) has class {classes[0]!r}.")
            self.classes_ = classes
        elif not np.isin(y, self.classes_).all():
            new = np.setdiff1d(np.unique(y), self.classes_)
            raise ValueError(f"warm_start: y has classes {new.tolist()} not seen in the first "
                             f"fit (classes_={self.classes_.tolist()}).")
        index = np.searchsorted(self.classes_, y)
        return np.eye(len(self.classes_))[index]

    def _check_weighted_target(self, y: np.ndarray) -> None:
        present = np.unique(y)
        if len(present) < 2:
            raise ValueError("Classifier can't train when only one class is present: every "
                             f"sample of non-zero weight has class {present[0]!r}.")

    def _set_encoding(self, model: Model) -> None:
        units = model.output_shape[-1]
        n_classes = len(self.classes_)
        if units == 1 and n_classes == 2:
            self._target_mode = "binary"
        elif units == n_classes:
            self._target_mode = "sparse" if _is_sparse_loss(model._loss) else "onehot"
        else:
            hint = ('Dense(1, activation="sigmoid") or ' if n_classes == 2 else "")
            raise ValueError(
                f"The model has {units} output units but y has {n_classes} classes: end the "
                f'model in {hint}Dense({n_classes}, activation="softmax").')
        self._from_logits = bool(getattr(model._loss, "from_logits", False))

    def _encode_target(self, y: np.ndarray) -> np.ndarray:
        index = np.searchsorted(self.classes_, y)
        index = np.minimum(index, len(self.classes_) - 1)
        if not np.array_equal(self.classes_[index], y):
            raise ValueError("y has labels not in classes_ "
                             f"{self.classes_.tolist()}.")
        if self._target_mode == "binary":
            return index.astype(np.float64)[:, None]
        if self._target_mode == "sparse":
            return index
        return np.eye(len(self.classes_))[index]

    def _fit_arguments(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        fit_kwargs = super()._fit_arguments(kwargs)
        class_weight = fit_kwargs.get("class_weight")
        if isinstance(class_weight, dict):
            unknown = [k for k in class_weight if k not in self.classes_]
            if unknown and self.classes_.dtype.kind not in "iub" and all(
                    isinstance(k, numbers.Integral) and 0 <= k < len(self.classes_)
                    for k in class_weight):
                # Keras keys class_weight by class index (its one-hot column), as
                # dict(enumerate(compute_class_weight(...))) gives: with labels that
                # are not integers, an integer key can only mean that.
                return {**fit_kwargs, "class_weight": {int(k): float(w)
                                                       for k, w in class_weight.items()}}
            if unknown:
                raise ValueError(f"class_weight has labels {unknown} not in classes_ "
                                 f"{self.classes_.tolist()}.")
            fit_kwargs["class_weight"] = {
                int(np.searchsorted(self.classes_, k)): float(w) for k, w in class_weight.items()}
        return fit_kwargs

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns as ``classes_``."""
        out = self._raw_predict(X).astype(np.float64)
        if self._target_mode == "binary":
            p = out[:, 0]
            p = 1.0 / (1.0 + np.exp(-p)) if self._from_logits else np.clip(p, 0.0, 1.0)
            return np.column_stack([1.0 - p, p])
        if self._from_logits:
            out = np.exp(out - out.max(axis=1, keepdims=True))
        else:
            out = np.clip(out, 0.0, None)
        total = out.sum(axis=1, keepdims=True)
        # Outputs that are not a distribution (sigmoid units) are normalized;
        # an all-zero row says nothing, so every class gets the same share.
        zero = total[:, 0] == 0
        out[zero], total[zero] = 1.0, out.shape[1]
        return out / total

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class label of each sample."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def decision_function(self, X: Any) -> np.ndarray:
        """Scores: for two classes, the log-odds of ``classes_[1]`` (n_samples,), so
        ``> 0`` predicts it (scikit-learn's convention); else the model's raw outputs
        (n_samples, n_classes), as Keras 3 returns them."""
        check_is_fitted(self)
        if len(self.classes_) == 2:
            proba = self.predict_proba(X)
            tiny = np.finfo(np.float64).tiny
            with np.errstate(divide="ignore"):
                return np.log(np.maximum(proba[:, 1], tiny)) - np.log(np.maximum(proba[:, 0],
                                                                                 tiny))
        return self._raw_predict(X)


class _NumericTargets:
    """The regressor's and transformer's targets: numbers, 1-D or 2-D (Keras 3's
    ``TargetReshaper``: a 1-D y trains against one output column)."""

    def _validate_fit_data(self, X: Any, y: Any, reset: bool) -> tuple[Any, np.ndarray]:
        return _sk_validate_data(self, X, y, reset=reset, y_numeric=True, multi_output=True,
                                 **_VALIDATION)

    def _prepare_target(self, y: np.ndarray, reset: bool) -> np.ndarray:
        if reset:
            self._y_ndim = y.ndim
        return self._encode_target(y)

    def _set_encoding(self, model: Model) -> None:
        pass

    def _encode_target(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        return y[:, None] if y.ndim == 1 else y


class SKLearnRegressor(_NumericTargets, RegressorMixin, SKLBase):
    """A scikit-learn regressor around a minikeras model (Keras 3's name and arguments).

    1-D targets train against one output unit and ``predict`` returns shape
    ``(n_samples,)``; 2-D targets ``(n_samples, n_outputs)`` train against
    ``n_outputs`` units. ``score`` is R^2.

    Args:
        model: a compiled ``mk.Sequential`` or a callable returning one, called with
            those of ``X``, ``y`` (2-D, as Keras 3 passes it) and ``model_kwargs``
            that it takes.
        warm_start: whether ``fit`` continues training the previous fit's model.
        model_kwargs: keyword arguments for the ``model`` callable.
        fit_kwargs: keyword arguments for ``model.fit`` (``fit``'s own take precedence).
        random_state: seed of initial weights and shuffling (``None``: the global seed).
    """

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        tags.regressor_tags.poor_score = True  # Keras's tag: a few epochs by default
        return tags

    def predict(self, X: Any) -> np.ndarray:
        """Predictions, shape (n_samples,) for 1-D training targets, else 2-D; float64
        (Keras 3 gives the model's float32: scikit-learn's multi-output check wants
        float64)."""
        out = self._raw_predict(X).astype(np.float64, copy=False)
        if self._y_ndim == 1 and out.ndim == 2 and out.shape[1] == 1:
            return out[:, 0]
        return out


class SKLearnTransformer(_NumericTargets, TransformerMixin, SKLBase):
    """A scikit-learn transformer around a minikeras model (Keras 3's): ``fit`` trains
    the model on ``(X, y)`` as the regressor does, ``transform`` returns its outputs
    (an embedding, a learned feature map) for the next step of a pipeline.

    Args:
        model: a compiled ``mk.Sequential`` or a callable returning one, called with
            those of ``X``, ``y`` (2-D) and ``model_kwargs`` that it takes.
        warm_start: whether ``fit`` continues training the previous fit's model.
        model_kwargs: keyword arguments for the ``model`` callable.
        fit_kwargs: keyword arguments for ``model.fit`` (``fit``'s own take precedence).
        random_state: seed of initial weights and shuffling (``None``: the global seed).
    """

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []  # Keras's: outputs in the model's type
        return tags

    def transform(self, X: Any) -> np.ndarray:
        """The model's outputs for ``X``, shape (n_samples, output width)."""
        return self._raw_predict(X)


class _FitHistory(History):
    """Keras 3's ``history_`` (the ``History`` that ``fit`` returned), which also reads as
    its ``{name: [value per epoch]}`` dict, as minikeras's wrappers kept it before."""

    def __init__(self, history: History) -> None:
        super().__init__()
        self.history = {name: [float(v) for v in values]
                        for name, values in history.history.items()}
        self.epoch = list(history.epoch)
        self.params = dict(getattr(history, "params", None) or {})
        self.model = getattr(history, "model", None)

    def extend(self, history: History) -> None:
        """Add a warm-started fit's epochs."""
        for name, values in history.history.items():
            self.history.setdefault(name, []).extend(float(v) for v in values)
        self.epoch.extend(history.epoch)

    def __getitem__(self, name: str) -> list[float]:
        return self.history[name]

    def __contains__(self, name: object) -> bool:
        return name in self.history

    def __iter__(self) -> Iterator[str]:
        return iter(self.history)

    def __len__(self) -> int:
        return len(self.history)

    def keys(self) -> Any:
        return self.history.keys()

    def items(self) -> Any:
        return self.history.items()

    def values(self) -> Any:
        return self.history.values()

    def get(self, name: str, default: Any = None) -> Any:
        return self.history.get(name, default)
