"""boston_housing, california_housing, imdb, reuters: Keras's files and Keras's rules.

No network: small synthetic files in Keras's layout are written into a temporary
KERAS_HOME (with the module's hash constant pointed at them) or passed as ``path=``,
and every result is compared with a re-implementation, here, of Keras's documented
rules. IMDB and Reuters hold pickled object arrays: those must be read without running
anything but NumPy's array rebuilding.
"""

from __future__ import annotations

import decimal
import hashlib
import io
import json
import os
import pickle
import sys
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import numpy as np
import pytest

from minikeras.datasets import _common, boston_housing, california_housing, imdb, reuters
from tests.helpers.offline import offline_keras_home  # noqa: F401 - the fixture

# Each test has its own Keras cache, and any download attempt fails (no network).
pytestmark = pytest.mark.usefixtures("offline_keras_home")


@pytest.fixture
def cache(tmp_path) -> Path:
    folder = tmp_path / "keras_home" / "datasets"
    folder.mkdir(parents=True)
    return folder


def _ragged(rs: np.random.RandomState, n: int, lo: int = 1, hi: int = 9,
            vocab: int = 30) -> np.ndarray:
    """A 1-D object array of Python lists of ints, as in Keras's IMDB and Reuters files."""
    out = np.empty(n, dtype=object)
    for i in range(n):
        out[i] = [int(w) for w in rs.randint(1, vocab, size=rs.randint(lo, hi))]
    return out


def _objects(*items) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out


def _imdb_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rs = np.random.RandomState(seed)
    return {"x_train": _ragged(rs, 17), "y_train": rs.randint(0, 2, 17).astype(np.int64),
            "x_test": _ragged(rs, 13), "y_test": rs.randint(0, 2, 13).astype(np.int64)}


def _reuters_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rs = np.random.RandomState(seed)
    return {"x": _ragged(rs, 29), "y": rs.randint(0, 46, 29).astype(np.int64)}


def _housing_arrays(n: int, features: int) -> dict[str, np.ndarray]:
    rs = np.random.RandomState(n)
    return {"x": rs.rand(n, features), "y": rs.rand(n) * 50}


def _save(file: Path, arrays: dict[str, np.ndarray]) -> Path:
    np.savez(file, **arrays)  # pickles the object arrays, as Keras's files do
    return file


# ------------------------------------------------------------ Keras's rules, re-derived
def _ref_split(x, y, test_split, seed):
    order = np.random.RandomState(seed).permutation(len(x))
    cut = int(len(x) * (1 - test_split))
    return (x[order][:cut], y[order][:cut]), (x[order][cut:], y[order][cut:])


def _ref_sequences(parts, rng, num_words, skip_top, maxlen, start_char, oov_char,
                   index_from):
    """Keras's documented IMDB/Reuters rules on a list of (sequences, labels) parts."""
    out = []
    for seqs, labels in parts:
        order = rng.permutation(len(seqs))
        lead = [] if start_char is None else [start_char]
        pairs = [(lead + [w + index_from for w in seqs[i]], labels[i]) for i in order]
        if maxlen:
            pairs = [(s, lab) for s, lab in pairs if len(s) < maxlen]
        out.append(pairs)
    top = num_words or max(w for pairs in out for s, _ in pairs for w in s)
    keep = range(skip_top, top)
    for pairs in out:
        for i, (s, lab) in enumerate(pairs):
            s = [w if w in keep else oov_char for w in s] if oov_char is not None \
                else [w for w in s if w in keep]
            pairs[i] = (s, lab)
    return out


def _check_sequences(x, y, pairs, label_dtype=np.int64):
    assert x.dtype == object and y.dtype == label_dtype
    assert x.tolist() == [s for s, _ in pairs]
    assert y.tolist() == [lab for _, lab in pairs]
    assert all(type(w) is int for s in x.tolist() for w in s)


SEQUENCE_SETTINGS = [
    {},
    {"num_words": 12, "skip_top": 4},
    {"maxlen": 6},
    {"maxlen": 7, "num_words": 20, "oov_char": None},
    {"start_char": None, "index_from": 0},
    {"start_char": 7, "oov_char": 9, "index_from": 5, "seed": 0},
    {"num_words": 0, "skip_top": 2, "seed": 42},  # 0 means "all", as Keras's `not num_words`
]


# ------------------------------------------------------------ boston / california housing
@pytest.mark.parametrize("test_split, seed", [(0.2, 113), (0.0, 1), (0.5, 7), (0.99, 0)])
def test_boston_housing_split_is_keras(tmp_path, test_split, seed):
    arrays = _housing_arrays(23, 13)
    file = _save(tmp_path / "boston.npz", arrays)
    got = boston_housing.load_data(path=str(file), test_split=test_split, seed=seed)
    ref = _ref_split(arrays["x"], arrays["y"], test_split, seed)
    for g, r in zip(got[0] + got[1], ref[0] + ref[1]):
        assert g.dtype == r.dtype and g.shape == r.shape
        np.testing.assert_array_equal(g, r)


@pytest.mark.parametrize("version, rows", [("large", 650), ("small", 600)])
def test_california_housing_versions_and_split(tmp_path, version, rows):
    arrays = _housing_arrays(650, 8)
    file = _save(tmp_path / "cal.npz", arrays)
    (xtr, ytr), (xte, yte) = california_housing.load_data(version=version, path=file,
                                                          test_split=0.25, seed=3)
    (rxtr, rytr), (rxte, ryte) = _ref_split(arrays["x"][:rows], arrays["y"][:rows], 0.25, 3)
    assert xtr.shape == (int(rows * 0.75), 8) and len(xte) == rows - len(xtr)
    for g, r in ((xtr, rxtr), (ytr, rytr), (xte, rxte), (yte, ryte)):
        np.testing.assert_array_equal(g, r)


def test_housing_argument_errors_are_keras_messages(tmp_path):
    with pytest.raises(ValueError, match="Invalid `test_split` argument: 1.0"):
        boston_housing.load_data(test_split=1.0)
    with pytest.raises(ValueError, match="Invalid `test_split` argument: -0.1"):
        california_housing.load_data(test_split=-0.1)
    with pytest.raises(ValueError, match="must be one of 'small', 'large'. Received: version=x"):
        california_housing.load_data(version="x")
    bad = _save(tmp_path / "bad.npz", {"features": np.zeros((3, 13))})
    with pytest.raises(ValueError, match=r"missing arrays \['x', 'y'\]"):
        boston_housing.load_data(path=bad)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        boston_housing.load_data(path=tmp_path / "absent.npz")


# ------------------------------------------------------------ IMDB
@pytest.mark.parametrize("settings", SEQUENCE_SETTINGS, ids=str)
def test_imdb_follows_keras_rules(tmp_path, settings):
    arrays = _imdb_arrays()
    file = _save(tmp_path / "imdb.npz", arrays)
    kw = {"num_words": None, "skip_top": 0, "maxlen": None, "seed": 113, "start_char": 1,
          "oov_char": 2, "index_from": 3, **settings}
    (xtr, ytr), (xte, yte) = imdb.load_data(path=file, **kw)
    rng = np.random.RandomState(kw.pop("seed"))  # one generator for train then test
    train, test = _ref_sequences([(arrays["x_train"], arrays["y_train"]),
                                  (arrays["x_test"], arrays["y_test"])], rng, **kw)
    _check_sequences(xtr, ytr, train)
    _check_sequences(xte, yte, test)
    if kw["maxlen"]:
        assert max(len(s) for s in xtr.tolist() + xte.tolist()) < kw["maxlen"]


def test_imdb_hand_worked_example(tmp_path):
    file = _save(tmp_path / "imdb.npz", {"x_train": _objects([1, 5, 2], [3]),
                                         "y_train": np.array([1, 0]),
                                         "x_test": _objects([7, 3]), "y_test": np.array([0])})
    (xtr, _), (xte, yte) = imdb.load_data(path=file, seed=0)
    # Start char 1, words + 3; the largest index (10) is the default num_words, so
    # it is itself out of range and becomes 2 (Keras's rule).
    assert sorted(xtr.tolist()) == [[1, 4, 8, 5], [1, 6]]
    assert xte.tolist() == [[1, 2, 6]] and yte.tolist() == [0]
    (xtr, _), _ = imdb.load_data(path=file, seed=0, num_words=6, skip_top=2)
    assert sorted(xtr.tolist()) == [[2, 2], [2, 4, 2, 5]]  # start_char 1 < skip_top too


def test_imdb_shapes_dtypes_and_keras_equal_length_quirk(tmp_path):
    (xtr, ytr), (xte, yte) = imdb.load_data(path=_save(tmp_path / "a.npz", _imdb_arrays()))
    assert xtr.shape == (17,) and xte.shape == (13,) and ytr.shape == (17,)
    assert all(type(s) is list for s in xtr) and ytr.dtype == yte.dtype == np.int64
    same = {"x_train": _objects([1, 2], [3, 4]), "y_train": np.array([0, 1]),
            "x_test": _objects([5, 6], [1, 1]), "y_test": np.array([1, 0])}
    (xtr, _), _ = imdb.load_data(path=_save(tmp_path / "b.npz", same))
    assert xtr.shape == (2, 3) and xtr.dtype == object  # np.array(lists, dtype=object)


def test_imdb_maxlen_that_keeps_nothing_is_keras_error(tmp_path):
    file = _save(tmp_path / "imdb.npz", _imdb_arrays())
    with pytest.raises(ValueError, match="shorter than maxlen=2, no sequence was kept"):
        imdb.load_data(path=file, maxlen=2)


def test_imdb_unknown_keyword_is_ignored_with_a_warning(tmp_path):
    file = _save(tmp_path / "imdb.npz", _imdb_arrays())
    with pytest.warns(UserWarning, match="nb_words"):
        got = imdb.load_data(path=file, nb_words=5)
    assert got[0][0].tolist() == imdb.load_data(path=file)[0][0].tolist()


# ------------------------------------------------------------ Reuters
@pytest.mark.parametrize("test_split", [0.2, 0.0, 0.5, 1.0])
@pytest.mark.parametrize("settings", SEQUENCE_SETTINGS, ids=str)
def test_reuters_follows_keras_rules(tmp_path, settings, test_split):
    arrays = _reuters_arrays()
    file = _save(tmp_path / "reuters.npz", arrays)
    kw = {"num_words": None, "skip_top": 0, "maxlen": None, "seed": 113, "start_char": 1,
          "oov_char": 2, "index_from": 3, **settings}
    (xtr, ytr), (xte, yte) = reuters.load_data(path=file, test_split=test_split, **kw)
    (pairs,) = _ref_sequences([(arrays["x"], arrays["y"])],
                              np.random.RandomState(kw.pop("seed")), **kw)
    cut = int(len(pairs) * (1 - test_split))
    for x, y, part in ((xtr, ytr, pairs[:cut]), (xte, yte, pairs[cut:])):
        # Keras: after `maxlen` the labels are a list, and np.array([]) is float64.
        dtype = np.float64 if kw["maxlen"] and not part else np.int64
        _check_sequences(x, y, part, dtype)


def test_reuters_label_names_and_argument_errors(tmp_path):
    names = reuters.get_label_names()
    assert len(names) == 46 and names[:4] == ("cocoa", "grain", "veg-oil", "earn")
    assert names[-1] == "lead" and len(set(names)) == 46
    with pytest.raises(ValueError, match="Invalid `test_split` argument: 1.5"):
        reuters.load_data(test_split=1.5)
    bad = _save(tmp_path / "bad.npz", {"x_train": _ragged(np.random.RandomState(0), 3)})
    with pytest.raises(ValueError, match=r"missing arrays \['x', 'y'\]"):
        reuters.load_data(path=bad)


# ------------------------------------------------------------ the Keras cache
LOADERS = {  # module, cache name, arrays
    "boston_housing": (boston_housing, "boston_housing.npz", lambda: _housing_arrays(9, 13)),
    "california_housing": (california_housing, "california_housing.npz",
                           lambda: _housing_arrays(9, 8)),
    "imdb": (imdb, "imdb.npz", _imdb_arrays),
    "reuters": (reuters, "reuters.npz", _reuters_arrays),
}


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_load_data_reads_the_keras_cache(cache, monkeypatch, name):
    module, fname, make = LOADERS[name]
    file = _save(cache / fname, make())
    monkeypatch.setattr(module, "FILE_HASH", _common.sha256(file))
    from_cache = module.load_data()
    from_path = module.load_data(path=str(file))
    for a, b in zip(from_cache[0] + from_cache[1], from_path[0] + from_path[1]):
        assert a.tolist() == b.tolist()


@pytest.mark.parametrize("module", [imdb, reuters], ids=lambda m: m.__name__)
def test_word_index_from_cache_with_keras_md5(cache, tmp_path, monkeypatch, module):
    index = {"the": 1, "and": 2, "café": 3}
    fname = f"{module.__name__.rsplit('.', 1)[-1]}_word_index.json"
    payload = json.dumps(index, ensure_ascii=False).encode("utf-8")
    (cache / fname).write_bytes(payload)
    assert len(module.WORD_INDEX_HASH) == 32  # Keras gives these as md5
    monkeypatch.setattr(module, "WORD_INDEX_HASH", hashlib.md5(payload).hexdigest())
    assert module.get_word_index() == index
    (tmp_path / "mine.json").write_bytes(payload)
    assert module.get_word_index(path=str(tmp_path / "mine.json")) == index
    monkeypatch.setattr(module, "WORD_INDEX_HASH", "0" * 32)  # stale: Keras refetches
    with pytest.raises(OSError, match="does not match the expected md5"):
        module.get_word_index()


OFFLINE = {
    "boston_housing": (lambda: boston_housing.load_data(), "boston_housing.npz",
                       boston_housing.ORIGIN),
    "california_housing": (lambda: california_housing.load_data(), "california_housing.npz",
                           california_housing.ORIGIN),
    "imdb": (lambda: imdb.load_data(), "imdb.npz", imdb.ORIGIN),
    "imdb_word_index": (lambda: imdb.get_word_index(), "imdb_word_index.json",
                        imdb.WORD_INDEX_ORIGIN),
    "reuters": (lambda: reuters.load_data(), "reuters.npz", reuters.ORIGIN),
    "reuters_word_index": (lambda: reuters.get_word_index(), "reuters_word_index.json",
                           reuters.WORD_INDEX_ORIGIN),
}


@pytest.mark.parametrize("name", sorted(OFFLINE))
def test_offline_error_names_the_cache_path(tmp_path, monkeypatch, name):
    call, fname, origin = OFFLINE[name]
    seen = []

    def no_network(url, target):
        seen.append(url)
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr(_common, "_download", no_network)
    with pytest.raises(OSError) as info:
        call()
    message = str(info.value)
    assert repr(str(tmp_path / "keras_home" / "datasets" / fname)) in message
    assert origin in message and "no route to host" in message and "path=" in message
    assert seen == [origin]
    assert origin.startswith("https://storage.googleapis.com/tensorflow/tf-keras-datasets/")


# ------------------------------------------------------------ the restricted unpickler
@pytest.fixture
def no_code(monkeypatch):
    """Call it once the files are written (pickling needs the real os.system): from then
    on os.system, also in the module a pickle names it by, fails the test, and so does
    np.load(allow_pickle=True)."""
    def fail(*args, **kwargs):
        pytest.fail(f"os.system ran from a data file: {args!r}")

    real_load = np.load

    def load(*args, **kwargs):
        assert not kwargs.get("allow_pickle"), "np.load(allow_pickle=True) was called"
        return real_load(*args, **kwargs)

    def arm():
        home = sys.modules[os.system.__module__]  # posix on Linux, nt on Windows
        monkeypatch.setattr(os, "system", fail)
        monkeypatch.setattr(home, "system", fail)
        monkeypatch.setattr(np, "load", load)

    return arm


class _RunsAShell:
    def __reduce__(self):
        return (os.system, ("echo owned > /dev/null",))


class _Evaluates:
    def __reduce__(self):
        return (eval, ("1 + 1",))


HOSTILE = {  # object in the sequences -> the global that must be refused
    "os.system": (_RunsAShell, "system"),
    "builtins.eval": (_Evaluates, "builtins.eval"),
    "decimal.Decimal": (lambda: decimal.Decimal("1.5"), "Decimal"),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_pickle_is_refused_and_never_runs(tmp_path, no_code, kind):
    make, refused = HOSTILE[kind]
    arrays = _imdb_arrays()
    arrays["x_train"][3] = [1, make(), 2]
    imdb_file = _save(tmp_path / "imdb.npz", arrays)
    reuters_file = _save(tmp_path / "reuters.npz", {"x": _objects([1], make()),
                                                   "y": np.array([0, 1])})
    no_code()
    for call in (lambda: imdb.load_data(path=imdb_file),
                 lambda: reuters.load_data(path=reuters_file),
                 lambda: _common.read_npz_restricted(imdb_file)):
        with pytest.raises(ValueError, match=f"Refusing to load `.*{refused}`"):
            call()


def _npy_with_pickle(payload: bytes, shape: tuple[int, ...]) -> bytes:
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, {"descr": "|O", "fortran_order": False,
                                               "shape": shape})
    return out.getvalue() + payload


def _zip(file: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(file, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return file


def test_reads_numpy_1_pickles_and_plain_arrays_without_pickle(tmp_path, no_code):
    seqs = _objects([1, 2, 3], [4])
    # numpy < 2 wrote `numpy.core.multiarray._reconstruct`; protocol 3 spells globals
    # as text, so the module name can be rewritten in place.
    payload = pickle.dumps(seqs, protocol=3)
    assert b"numpy._core.multiarray" in payload
    payload = payload.replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    labels = io.BytesIO()
    np.save(labels, np.array([3, 5], dtype=np.int64))
    file = _zip(tmp_path / "old.npz", {"x.npy": _npy_with_pickle(payload, (2,)),
                                       "y.npy": labels.getvalue(), "notes.txt": b"skip"})
    no_code()
    arrays = _common.read_npz_restricted(file)
    assert sorted(arrays) == ["x", "y"]
    assert arrays["x"].dtype == object and arrays["x"].tolist() == [[1, 2, 3], [4]]
    assert arrays["y"].dtype == np.int64 and arrays["y"].tolist() == [3, 5]
    (xtr, ytr), (xte, yte) = reuters.load_data(path=file, test_split=0.5, seed=0)
    assert len(xtr) == len(xte) == 1 and sorted(ytr.tolist() + yte.tolist()) == [3, 5]


def test_garbled_or_mismatched_object_arrays_are_refused(tmp_path, no_code):
    good = pickle.dumps(_objects([1], [2, 3]), protocol=4)
    cases = {
        "truncated": (_npy_with_pickle(good[: len(good) // 2], (2,)), "unreadable"),
        "wrong shape": (_npy_with_pickle(good, (5,)), "shape"),
        "not an array": (_npy_with_pickle(pickle.dumps([1, 2]), (2,)), "shape"),
        "persistent id": (_npy_with_pickle(b"\x80\x02X\x01\x00\x00\x00aQ.", (1,)),
                          "persistent"),
    }
    no_code()
    for name, (member, message) in cases.items():
        file = _zip(tmp_path / f"{name}.npz", {"x.npy": member})
        with pytest.raises(ValueError, match=message):
            _common.read_npz_restricted(file)
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not an .npz"):
        _common.read_npz_restricted(tmp_path / "junk.npz")
