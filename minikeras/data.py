"""Data for fit/evaluate/predict: conversion, validation split, batches.

Owns the one question of *which rows* each step sees. Arrays (NumPy,
``np.memmap``, lists, pandas, ``scipy.sparse``) become an :class:`ArraySource`
that gathers each batch with ``take(..., out=)`` into a reused buffer, so a
step never copies the data set; Python generators and ``PyDataset`` objects
become sources that yield their own batches. ``EpochIterator`` turns a source
into the steps of each epoch (continuing across epochs when
``steps_per_epoch`` is set, as Keras does).
"""

from __future__ import annotations

import math
import numbers
import types
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from . import _constants
from ._errors import NotNumbersError
from ._tensor import as_array

Batch = tuple[np.ndarray, Any, Any]

#: Elements checked for NaN/inf at a time (bounds the check's memory).
_CHECK_ELEMENTS = 1 << 20


# ----------------------------------------------------------------------------- conversion
def is_sparse(x: Any) -> bool:
    return hasattr(x, "tocsr") and hasattr(x, "nnz")


def is_dataframe(x: Any) -> bool:
    return type(x).__module__.startswith("pandas") and hasattr(x, "to_numpy")


def _frame_to_numpy(frame: Any) -> np.ndarray:
    """A DataFrame's values; number and bool columns side by side (``pd.get_dummies``
    gives bool columns) become one NumPy number type instead of an object array."""
    dtypes = list(frame.dtypes) if hasattr(frame, "columns") else [getattr(frame, "dtype", None)]
    if dtypes and all(getattr(d, "kind", "O") in "biuf" for d in dtypes):
        if all(isinstance(d, np.dtype) for d in dtypes):
            return frame.to_numpy(dtype=np.result_type(*dtypes))
        # pandas's nullable Int64/Float64/boolean columns are numbers too (Keras casts
        # them with the rest); a missing value becomes NaN, refused as any NaN is.
        return frame.to_numpy(dtype=np.float64, na_value=np.nan)
    return frame.to_numpy()


def to_array(x: Any, what: str = "x") -> Any:
    """NumPy view of array-like input; sparse matrices stay sparse (densified per batch)."""
    if x is None:
        return None
    if isinstance(x, (tuple, list)) and len(x) == 1 and (
            isinstance(x[0], np.ndarray) or is_dataframe(x[0])):
        x = x[0]  # Keras: a structure holding the one input, `predict((x,))`
    if is_sparse(x):
        return x.tocsr()
    if is_dataframe(x):
        return _frame_to_numpy(x)
    if isinstance(x, np.memmap):
        return x  # stays on disk: batches read only their rows
    if isinstance(x, np.ndarray):
        return as_array(x)
    if hasattr(x, "numpy") and callable(x.numpy):
        return np.asarray(x.numpy())
    if isinstance(x, (dict,)):
        raise TypeError(f"`{what}` as a dict of named inputs needs the functional API, which "
                        "minikeras does not support; pass one array.")
    try:
        arr = np.asarray(x)
    except ValueError as err:
        raise ValueError(f"Cannot convert `{what}` to an array: {err}") from None
    return arr


_probe_checked: dict[Any, bool] = {}


def _zero_probe_works(dtype: np.dtype) -> bool:
    """Whether this BLAS turns ``inf * 0`` and ``nan * 0`` into NaN (a BLAS that skipped
    zero entries would not); asked once per dtype."""
    ok = _probe_checked.get(dtype)
    if ok is None:
        rows = np.zeros((3, 16), dtype)
        rows[0, 3], rows[1, 7] = np.inf, np.nan
        with np.errstate(invalid="ignore"):
            probe = rows @ np.zeros(16, dtype)
        ok = _probe_checked[dtype] = np.isnan(probe).tolist() == [True, True, False]
    return ok


def matmul_propagates(dtype: np.dtype) -> bool:
    """Whether ``a @ w`` is non-finite in every column of each row where ``a`` holds NaN
    or inf, even where ``w`` is zero (a BLAS that skipped zero weights would not); asked
    once per dtype, at a small and at a blocked-kernel size."""
    key = ("matmul", np.dtype(dtype))
    ok = _probe_checked.get(key)
    if ok is None:
        ok = True
        for rows, width, units in ((4, 16, 2), (512, 256, 64)):
            a = np.ones((rows, width), dtype)
            a[1, 3], a[2, width - 1], a[3, 0] = np.nan, np.inf, -np.inf
            with np.errstate(invalid="ignore"):
                z = a @ np.zeros((width, units), dtype)
            bad = ~np.isfinite(z)
            ok = ok and bool(bad[1:4].all()) and not bad[0].any() and not bad[4:].any()
        _probe_checked[key] = ok
    return ok


def check_numeric(arr: Any, what: str) -> None:
    """Raise on object/string arrays and on NaN or inf, naming how many rows."""
    if arr is None or is_sparse(arr):
        data = getattr(arr, "data", None)
        if data is not None and data.dtype.kind == "f" and not np.isfinite(data).all():
            rows = np.unique(arr.tocoo().row[~np.isfinite(arr.tocoo().data)])
            raise ValueError(f"`{what}` contains NaN or inf in {rows.size} row(s) "
                             f"(first at row {int(rows[0])}).")
        return
    if arr.dtype.kind not in "biuf":
        raise NotNumbersError(f"`{what}` must hold numbers; received an array of dtype "
                              f"{arr.dtype} (strings or objects). Encode categories as "
                              "numbers first.")
    if arr.dtype.kind == "f" and not isinstance(arr, np.memmap):
        if arr.ndim == 0:
            if not np.isfinite(arr):
                raise ValueError(f"`{what}` must be finite; received {what}={arr.item()!r}.")
            return
        # In blocks of rows, so the check never allocates in proportion to the data.
        width = max(1, arr[:1].size)
        rows = max(1, _CHECK_ELEMENTS // width)
        # Wide float32/float64 rows: one matrix-vector product with zeros is NaN exactly
        # in the rows holding NaN or inf, read at memory speed by BLAS (half the time
        # of np.isfinite, which also writes a boolean per value).
        probe = None
        if width >= 16 and arr.dtype in _constants.BLAS_FLOATS and _zero_probe_works(arr.dtype):
            probe = _constants.zeros(width, arr.dtype)
        bad_rows = 0
        first = None
        for start in range(0, len(arr), rows):
            block = arr[start:start + rows].reshape(-1, width)
            if probe is not None:
                with np.errstate(invalid="ignore"):  # 0 * inf: the NaN is the finding
                    bad = ~np.isfinite(block @ probe)
            else:
                bad = ~np.isfinite(block).all(axis=1)
            if bad.any():
                bad_rows += int(bad.sum())
                if first is None:
                    first = start + int(np.flatnonzero(bad)[0])
        if bad_rows:
            raise ValueError(f"`{what}` contains NaN or inf in {bad_rows} row(s) "
                             f"(first at row {first}).")


def num_rows(x: Any) -> int:
    return x.shape[0]


def class_weight_lookup(class_weight: Mapping[Any, float]) -> np.ndarray | None:
    """A dense table ``table[class] -> weight`` (1.0 for classes not listed); None if empty.

    Raises:
        ValueError: not a dict, a key that is not a class index >= 0, or a
            weight that is not a finite number >= 0 (it would make the loss
            NaN or reward errors).
    """
    if not isinstance(class_weight, Mapping):
        raise ValueError("`class_weight` must be a dict mapping class indices to weights, e.g. "
                         f"{{0: 1.0, 1: 5.0}}. Received: class_weight={class_weight!r} of type "
                         f"{type(class_weight).__name__}")
    if not class_weight:
        return None
    table_items: list[tuple[int, float]] = []
    for k, w in class_weight.items():
        # Float keys are common (dict(zip(np.unique(y_float), weights))): whole ones count.
        if not isinstance(k, (numbers.Real, np.bool_)) or not math.isfinite(k) or k < 0 \
                or k != int(k):
            raise ValueError("`class_weight` keys must be class indices (integers >= 0). "
                             f"Received the key {k!r}.")
        try:
            weight = math.nan if isinstance(w, (str, bytes)) else float(w)
        except (TypeError, ValueError):
            weight = math.nan
        if not math.isfinite(weight) or weight < 0:
            raise ValueError("`class_weight` values must be finite numbers >= 0. Received "
                             f"class_weight[{k!r}]={w!r}.")
        table_items.append((int(k), weight))
    table = np.ones(max(k for k, _ in table_items) + 1, dtype=np.float64)
    for k, w in table_items:
        table[k] = w
    return table


def class_weights_for(y: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Per-sample weights from labels (indices, a column, or one-hot rows), as Keras."""
    y = as_array(y)
    if y.ndim > 1:
        y = y.argmax(axis=-1) if y.shape[-1] != 1 else y[..., 0]
    labels = np.round(y).astype(np.int64).reshape(-1)
    out = np.ones(labels.shape[0], dtype=np.float64)
    known = (labels >= 0) & (labels < table.shape[0])
    out[known] = table[labels[known]]
    return out


# ----------------------------------------------------------------------------- splitting
def split_validation(x: Any, y: Any, sw: Any, validation_split: float
                     ) -> tuple[tuple[Any, Any, Any], tuple[Any, Any, Any]]:
    """The last ``validation_split`` fraction of the rows, before any shuffling."""
    n = num_rows(x)
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"Training data contains {n} samples, which is not sufficient to split it into a "
            f"validation and training set as specified by `validation_split={validation_split}`. "
            "Either provide more data, or a different value for the `validation_split` argument.")

    def cut(a: Any, lo: int | None, hi: int | None) -> Any:
        return None if a is None else a[lo:hi]

    return ((cut(x, None, split_at), cut(y, None, split_at), cut(sw, None, split_at)),
            (cut(x, split_at, None), cut(y, split_at, None), cut(sw, split_at, None)))


# ----------------------------------------------------------------------------- sources
class DataSource:
    """Something that yields batches ``(x, y, sample_weight)`` epoch after epoch."""

    #: batches per full pass, or None when unknown (a generator)
    num_batches: int | None = None
    #: rows in one full pass, when known
    num_samples: int | None = None

    def batches(self, rng: np.random.Generator | None) -> Iterator[Batch]:
        raise NotImplementedError

    def on_epoch_begin(self) -> None:
        pass

    def on_epoch_end(self) -> None:
        pass

    def sample_shape(self) -> tuple[int, ...]:
        """The shape of one sample of x (a model builds itself from it)."""
        raise NotImplementedError

    #: Set by the model: reshapes each batch's x (Keras's rank adjustment), or None.
    adjust_x: Any = None


class ArraySource(DataSource):
    """In-memory (or memmapped, or sparse) arrays, gathered batch by batch.

    Each batch of a shuffled pass is gathered with ``np.take(..., out=)`` into
    a buffer reused across batches; an unshuffled pass slices views.
    ``dtype`` converts x (and y, unless ``y_dtype`` keeps labels integer) per
    batch, never the whole array.
    """

    def __init__(self, x: Any, y: Any = None, sample_weight: Any = None, batch_size: int = 32,
                 shuffle: bool = False, dtype: Any = None, y_dtype: Any = None,
                 class_weight: np.ndarray | None = None,
                 rows: tuple[int, int] | None = None, shard: tuple[int, int] | None = None
                 ) -> None:
        self.x, self.y, self.sw = x, y, sample_weight
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.dtype = np.dtype(dtype) if dtype is not None else None
        self.y_dtype = np.dtype(y_dtype) if y_dtype is not None else None
        self.class_weight = class_weight
        self.num_samples = num_rows(x)
        self.num_batches = max(1, math.ceil(self.num_samples / self.batch_size)) \
            if self.num_samples else 0
        # (rank, size): each batch keeps only this rank's contiguous share of rows.
        self.shard = shard
        self._buffers: dict[str, np.ndarray] = {}
        self._kinds: dict[str, str] = {}
        # Disk-backed and sparse rows read faster in order; a batch is a set anyway.
        self._sorted_reads = isinstance(x, np.memmap) or is_sparse(x)

    def _gather(self, key: str, a: Any, idx: np.ndarray | slice, dtype: Any) -> Any:
        # Called for x, y and weights of every batch: the checks are kept to a minimum.
        if a is None:
            return None
        kind = self._kinds.get(key)
        if kind is None:
            kind = self._kinds[key] = ("sparse" if is_sparse(a) else
                                       "memmap" if isinstance(a, np.memmap) else "array")
        if kind == "sparse":
            return np.asarray(a[idx].toarray(), dtype=dtype or np.float64)
        if type(idx) is slice:
            part = a[idx]
            if dtype is not None and part.dtype != dtype:
                return part.astype(dtype)
            return part if type(part) is np.ndarray else as_array(part)
        n = idx.shape[0]
        target = dtype if dtype is not None else a.dtype
        buf = self._buffers.get(key)
        if buf is None or buf.shape[0] < n or buf.dtype != target or buf.shape[1:] != a.shape[1:]:
            buf = np.empty((max(n, self.batch_size), *a.shape[1:]), dtype=target)
            self._buffers[key] = buf
        out = buf[:n]
        if kind == "array" and a.dtype == target:
            a.take(idx, axis=0, out=out)  # into the reused buffer: no copy of the data set
        else:
            out[...] = a[idx]
        return out

    def sample_shape(self) -> tuple[int, ...]:
        return tuple(self.x.shape[1:])

    def batch_at(self, idx: np.ndarray | slice) -> Batch:
        x = self._gather("x", self.x, idx, self.dtype)
        y = self._gather("y", self.y, idx, self.y_dtype)
        sw = self._gather("sw", self.sw, idx, np.float64) if self.sw is not None else None
        if self.class_weight is not None and y is not None:
            cw = class_weights_for(y, self.class_weight)
            sw = cw if sw is None else sw * cw
        return x, y, sw

    def _shard(self, start: int, stop: int) -> tuple[int, int]:
        if self.shard is None:
            return start, stop
        rank, size = self.shard
        n = stop - start
        lo = start + (n * rank) // size
        hi = start + (n * (rank + 1)) // size
        return lo, hi

    def batches(self, rng: np.random.Generator | None) -> Iterator[Batch]:
        n, bs = self.num_samples, self.batch_size
        order = rng.permutation(n) if (self.shuffle and rng is not None) else None
        for start in range(0, n, bs):
            stop = min(start + bs, n)
            lo, hi = self._shard(start, stop)
            if order is None:
                yield self.batch_at(slice(lo, hi))
            else:
                idx = order[lo:hi]
                if self._sorted_reads:
                    idx = np.sort(idx)  # sequential reads; the batch is a set anyway
                yield self.batch_at(idx)


def _unpack(item: Any) -> Batch:
    if isinstance(item, (tuple, list)):
        if len(item) == 1:
            return item[0], None, None
        if len(item) == 2:
            return item[0], item[1], None
        if len(item) == 3:
            return item[0], item[1], item[2]
        raise ValueError("A data batch must be x, (x,), (x, y) or (x, y, sample_weight); "
                         f"received a tuple of length {len(item)}.")
    return item, None, None


class GeneratorSource(DataSource):
    """A Python iterator yielding ``(x, y)`` or ``(x, y, sample_weight)`` batches.

    A generator cannot be restarted or sharded from outside: give
    ``steps_per_epoch`` for an endless one, and under data parallelism each
    rank's generator yields that rank's batches.
    """

    def __init__(self, generator: Any, dtype: Any = None, y_dtype: Any = None,
                 class_weight: np.ndarray | None = None) -> None:
        self.factory = generator if callable(generator) and not hasattr(generator, "__next__") \
            else None
        self.iterator = iter(generator) if self.factory is None else None
        self.dtype, self.y_dtype, self.class_weight = dtype, y_dtype, class_weight

    _peeked: Any = None

    def batches(self, rng):
        iterator = iter(self.factory()) if self.factory is not None else self.iterator
        if self._peeked is not None and self.factory is None:
            # The batch looked at to build the model still belongs to training.
            item, self._peeked = self._peeked, None
            yield self._convert(item)
        for item in iterator:
            yield self._convert(item)

    def _convert(self, item: Any) -> Batch:
        x, y, sw = convert_batch(*_unpack(item), self.dtype, self.y_dtype, self.class_weight)
        return (x if self.adjust_x is None else self.adjust_x(x)), y, sw

    def sample_shape(self) -> tuple[int, ...]:
        if self.factory is not None:
            item = next(iter(self.factory()))
        else:
            if self._peeked is None:
                try:
                    self._peeked = next(self.iterator)
                except StopIteration:
                    raise ValueError("The generator yielded no batches.") from None
            item = self._peeked
        return tuple(np.shape(to_array(_unpack(item)[0]))[1:])


def _num_batches(dataset: Any) -> int:
    """Keras 3's ``num_batches``, else ``len()`` (Keras's fallback)."""
    n = getattr(dataset, "num_batches", None)
    if n is None:
        n = len(dataset)
    return int(n)


class PyDatasetSource(DataSource):
    """Keras's ``PyDataset`` protocol: ``num_batches`` (or ``__len__``), ``__getitem__``,
    ``on_epoch_begin`` and ``on_epoch_end``."""

    def __init__(self, dataset: Any, shuffle: bool = False, dtype: Any = None,
                 y_dtype: Any = None, class_weight: np.ndarray | None = None,
                 shard: tuple[int, int] | None = None) -> None:
        self.dataset = dataset
        self.shuffle = shuffle
        self.dtype, self.y_dtype, self.class_weight = dtype, y_dtype, class_weight
        self.num_batches = _num_batches(dataset)
        self.shard = shard

    def batches(self, rng):
        order = np.arange(self.num_batches)
        if self.shuffle and rng is not None:
            order = rng.permutation(self.num_batches)
        for i in order:
            x, y, sw = _unpack(self.dataset[int(i)])
            x, y, sw = convert_batch(x, y, sw, self.dtype, self.y_dtype, self.class_weight)
            if self.adjust_x is not None:
                x = self.adjust_x(x)
            if self.shard is not None:
                rank, size = self.shard
                n = x.shape[0]
                lo, hi = (n * rank) // size, (n * (rank + 1)) // size
                x = x[lo:hi]
                y = None if y is None else y[lo:hi]
                sw = None if sw is None else sw[lo:hi]
            yield x, y, sw

    def sample_shape(self) -> tuple[int, ...]:
        if self.num_batches == 0:
            raise ValueError("The PyDataset has no batches (len() is 0).")
        return tuple(np.shape(to_array(_unpack(self.dataset[0])[0]))[1:])

    def on_epoch_begin(self):
        hook = getattr(self.dataset, "on_epoch_begin", None)
        if hook is not None:
            hook()

    def on_epoch_end(self):
        hook = getattr(self.dataset, "on_epoch_end", None)
        if hook is not None:
            hook()


def convert_batch(x: Any, y: Any, sw: Any, dtype: Any, y_dtype: Any,
                  class_weight: np.ndarray | None) -> Batch:
    """Convert one batch from a generator or PyDataset to arrays of the model's dtypes."""
    x = to_array(x)
    if is_sparse(x):
        x = x.toarray()
    if dtype is not None and x.dtype != dtype:
        x = x.astype(dtype)
    if y is not None:
        y = to_array(y, "y")
        if y_dtype is not None and y.dtype != y_dtype:
            y = y.astype(y_dtype)
    if sw is not None:
        sw = np.asarray(to_array(sw, "sample_weight"), dtype=np.float64)
    if class_weight is not None and y is not None:
        if sw is not None:  # Keras refuses the pair for arrays and datasets alike
            raise ValueError("You cannot specify `class_weight` and `sample_weight` at the "
                             "same time: the data yields sample weights.")
        sw = class_weights_for(y, class_weight)
    return x, y, sw


def is_generator_like(x: Any) -> bool:
    return isinstance(x, types.GeneratorType) or (
        hasattr(x, "__next__") and hasattr(x, "__iter__") and not isinstance(x, np.ndarray))


def is_pydataset(x: Any) -> bool:
    return hasattr(x, "__getitem__") and hasattr(x, "__len__") and not isinstance(
        x, (np.ndarray, list, tuple)) and not is_dataframe(x) and not is_sparse(x) \
        and hasattr(x, "on_epoch_end")


# ----------------------------------------------------------------------------- epochs
def ran_out_warning(stacklevel: int = 4) -> None:
    """Keras's warning when the data ends before the steps asked for."""
    warnings.warn(
        "Your input ran out of data; interrupting training. Make sure that your dataset or "
        "generator can generate at least `steps_per_epoch * epochs` batches.",
        stacklevel=stacklevel)


class EpochIterator:
    """The steps of each epoch over a source.

    Without ``steps_per_epoch`` each epoch is one full pass. With it, each
    epoch takes that many steps from a pass that continues across epochs, as
    Keras does: over data of known length, an epoch that reaches the end of the
    pass stops there and the next starts a new pass; a generator that can be
    called again restarts when it runs dry.
    """

    def __init__(self, source: DataSource, steps_per_epoch: int | None = None,
                 rng: np.random.Generator | None = None) -> None:
        self.source = source
        self.steps_per_epoch = steps_per_epoch
        self.rng = rng
        self._stream: Iterator[Batch] | None = None
        self._seen = 0  # batches taken from the current pass (_counted_epoch)
        if steps_per_epoch is None and source.num_batches is None:
            self.num_steps: int | None = None
        else:
            self.num_steps = steps_per_epoch if steps_per_epoch is not None \
                else source.num_batches

    def __len__(self) -> int:
        return self.num_steps or 0

    def epoch(self) -> Iterator[tuple[int, Batch]]:
        self.source.on_epoch_begin()  # a PyDataset's hook, before every epoch (Keras)
        if self.steps_per_epoch is None:
            for step, batch in enumerate(self.source.batches(self.rng)):
                yield step, batch
            self.source.on_epoch_end()
            return
        if self.source.num_batches is not None:
            yield from self._counted_epoch(self.source.num_batches)
            return
        step = 0
        restarted_empty = False
        while step < self.steps_per_epoch:
            if self._stream is None:
                self._stream = self.source.batches(self.rng)
            try:
                batch = next(self._stream)
            except StopIteration:
                self._stream = None
                self.source.on_epoch_end()
                if restarted_empty or isinstance(self.source, GeneratorSource) \
                        and self.source.factory is None:
                    ran_out_warning()
                    return
                restarted_empty = True
                continue
            restarted_empty = False
            yield step, batch
            step += 1

    def _counted_epoch(self, num_batches: int) -> Iterator[tuple[int, Batch]]:
        """``steps_per_epoch`` over a source of known length, as Keras's EpochIterator: the
        pass continues across epochs; an epoch that reaches its end stops there (with
        Keras's warning) and the next epoch starts a new pass (a new shuffle). The source's
        ``on_epoch_end`` runs after every epoch (a PyDataset's hook), as in Keras."""
        if self._stream is None:
            self._stream = self.source.batches(self.rng)
            self._seen = 0
        for step in range(self.steps_per_epoch):  # type: ignore[arg-type]
            if self._seen >= num_batches:
                ran_out_warning()
                break
            batch = next(self._stream)
            self._seen += 1
            yield step, batch
        if self._seen >= num_batches:
            self._stream = None
        self.source.on_epoch_end()  # every epoch, as Keras's adapter (a PyDataset reshuffles)
