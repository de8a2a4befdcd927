"""mk.datasets: bundled sets, Keras's split rule, the Keras cache for MNIST, generators."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import minikeras as mk
from minikeras.datasets import _common, fashion_mnist, mnist
from tests.helpers.offline import offline_keras_home  # noqa: F401 - the fixture

GOLDEN = Path(__file__).parent / "golden" / "datasets_split.json"

BUNDLED = {  # name -> (rows, x shape after the row axis, x dtype, y dtype, labels or None)
    "breast_cancer": (569, (30,), np.float64, np.int64, {0, 1}),
    "diabetes": (442, (10,), np.float64, np.float64, None),
    "digits": (1797, (8, 8), np.uint8, np.int64, set(range(10))),
}


# Each test has its own Keras cache, and any download attempt fails (no network).
pytestmark = pytest.mark.usefixtures("offline_keras_home")


# ---------------------------------------------------------------------- bundled sets
@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_shapes_dtypes_and_labels(name):
    rows, shape, x_dtype, y_dtype, labels = BUNDLED[name]
    (x_train, y_train), (x_test, y_test) = getattr(mk.datasets, name).load_data()
    assert x_train.shape == (int(rows * 0.8), *shape)
    assert x_test.shape == (rows - int(rows * 0.8), *shape)
    assert y_train.shape == (len(x_train),) and y_test.shape == (len(x_test),)
    assert x_train.dtype == x_dtype and y_train.dtype == y_dtype
    assert np.isfinite(x_train.astype(np.float64)).all()
    if labels is not None:
        assert set(np.unique(np.concatenate([y_train, y_test]))) == labels


def test_bundled_class_counts_match_the_sources():
    (_, ytr), (_, yte) = mk.datasets.breast_cancer.load_data()
    assert np.bincount(np.concatenate([ytr, yte])).tolist() == [212, 357]  # malignant, benign
    (xtr, _), (xte, _) = mk.datasets.digits.load_data()
    pixels = np.concatenate([xtr, xte])
    assert pixels.min() == 0 and pixels.max() == 16


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_values_equal_scikit_learn(name):
    datasets = pytest.importorskip("sklearn.datasets", reason="scikit-learn is not installed")
    loader = {"breast_cancer": datasets.load_breast_cancer,
              "diabetes": lambda: datasets.load_diabetes(scaled=False),
              "digits": datasets.load_digits}[name]
    ref = loader()
    ref_x = ref.images if name == "digits" else ref.data
    (xtr, ytr), (xte, yte) = getattr(mk.datasets, name).load_data(test_split=0.0, seed=5)
    order = np.arange(len(ref_x))
    np.random.RandomState(5).shuffle(order)
    np.testing.assert_array_equal(xtr, ref_x[order])  # bit-identical values
    np.testing.assert_array_equal(ytr, ref.target[order])
    assert len(xte) == 0 and len(yte) == 0


def test_split_matches_keras_golden(tmp_path):
    """x = arange(n) from a file passed as `path`: the rows returned are Keras's indices."""
    golden = json.loads(GOLDEN.read_text())
    assert len(golden["cases"]) >= 5
    for case in golden["cases"]:
        n = case["n"]
        file = tmp_path / f"rows{n}.npz"
        np.savez(file, x=np.arange(n), y=np.arange(n) * 10)
        (xtr, ytr), (xte, yte) = mk.datasets.breast_cancer.load_data(
            path=file, test_split=case["test_split"], seed=case["seed"])
        assert xtr.tolist() == case["train"], case["seed"]
        assert xte.tolist() == case["test"], case["seed"]
        np.testing.assert_array_equal(ytr, xtr * 10)  # rows stay paired
        np.testing.assert_array_equal(yte, xte * 10)


def test_split_is_a_partition_and_depends_on_the_seed():
    (a, ya), (b, yb) = mk.datasets.diabetes.load_data(seed=1)
    (c, _), _ = mk.datasets.diabetes.load_data(seed=2)
    (a2, _), _ = mk.datasets.diabetes.load_data(seed=1)
    np.testing.assert_array_equal(a, a2)
    assert not np.array_equal(a, c)
    both = np.concatenate([a, b])
    (full, _), _ = mk.datasets.diabetes.load_data(test_split=0.0, seed=1)
    assert sorted(map(tuple, both)) == sorted(map(tuple, full))


@pytest.mark.parametrize("bad", [1.0, -0.1, 1.5])
def test_test_split_out_of_range_has_keras_message(bad):
    with pytest.raises(ValueError, match=r"Invalid `test_split` argument: .*between 0 and 1"):
        mk.datasets.breast_cancer.load_data(test_split=bad)


def test_path_errors_name_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        mk.datasets.digits.load_data(path=tmp_path / "nope.npz")
    bad = tmp_path / "bad.npz"
    np.savez(bad, features=np.zeros((3, 2)), y=np.zeros(3))
    with pytest.raises(ValueError, match=r"must hold arrays 'x' and 'y'.*\['x'\]"):
        mk.datasets.digits.load_data(path=bad)
    uneven = tmp_path / "uneven.npz"
    np.savez(uneven, x=np.zeros((3, 2)), y=np.zeros(4))
    with pytest.raises(ValueError, match="3 rows of x but 4 of y"):
        mk.datasets.diabetes.load_data(path=uneven)


def test_bundled_files_are_small():
    total = sum(f.stat().st_size for f in _common.DATA_DIR.glob("*.npz"))
    assert 0 < total < 1_000_000
    assert (_common.DATA_DIR / "README.md").is_file()


def test_import_minikeras_loads_no_data_module():
    code = ("import sys, minikeras; "
            "print(sorted(m for m in sys.modules if m.startswith('minikeras.datasets')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


# ---------------------------------------------------------------------- MNIST, Keras's way
def _small_mnist(path: Path, n_train: int = 12, n_test: int = 5) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
              "y_train": rng.integers(0, 10, n_train, dtype=np.uint8),
              "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
              "y_test": rng.integers(0, 10, n_test, dtype=np.uint8)}
    np.savez_compressed(path, **arrays)
    return arrays


def _check_mnist(result, arrays):
    (xtr, ytr), (xte, yte) = result
    for got, key in ((xtr, "x_train"), (ytr, "y_train"), (xte, "x_test"), (yte, "y_test")):
        np.testing.assert_array_equal(got, arrays[key])
        assert got.dtype == np.uint8


def test_mnist_reads_an_explicit_path(tmp_path):
    file = tmp_path / "my_mnist.npz"
    arrays = _small_mnist(file)
    _check_mnist(mk.datasets.mnist.load_data(path=str(file)), arrays)


def test_mnist_reads_the_keras_cache_under_keras_home(tmp_path, monkeypatch):
    cache = tmp_path / "keras_home" / "datasets"
    cache.mkdir(parents=True)
    arrays = _small_mnist(cache / "mnist.npz")
    monkeypatch.setattr(mnist, "FILE_HASH", _common.sha256(cache / "mnist.npz"))
    _check_mnist(mk.datasets.mnist.load_data(), arrays)


def test_mnist_offline_error_says_where_to_put_the_file(tmp_path):
    target = tmp_path / "keras_home" / "datasets" / "mnist.npz"
    with pytest.raises(OSError) as info:
        mk.datasets.mnist.load_data()
    message = str(info.value)
    assert mnist.ORIGIN in message
    assert str(target) in message
    assert "KERAS_HOME" in message and "path=" in message
    assert not target.exists()
    with pytest.raises(OSError, match="Could not load MNIST"):
        mk.datasets.mnist.load_data(path=None)  # None is Keras's default name


def test_mnist_cached_file_with_wrong_hash_is_refetched_like_keras(tmp_path):
    cache = tmp_path / "keras_home" / "datasets"
    cache.mkdir(parents=True)
    _small_mnist(cache / "mnist.npz")  # not Keras's file: its sha256 differs
    with pytest.raises(OSError, match="does not match the expected sha256"):
        mk.datasets.mnist.load_data()


def test_mnist_download_goes_to_the_keras_cache(tmp_path, monkeypatch):
    source = tmp_path / "served.npz"
    arrays = _small_mnist(source, n_train=7)
    payload = source.read_bytes()
    calls = []

    def serve(url, timeout=None):
        calls.append(url)
        return io.BytesIO(payload)

    monkeypatch.setattr(urllib.request, "urlopen", serve)
    monkeypatch.setattr(mnist, "FILE_HASH", hashlib.sha256(payload).hexdigest())
    _check_mnist(mk.datasets.mnist.load_data(), arrays)
    assert calls == ["https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"]
    cached = tmp_path / "keras_home" / "datasets" / "mnist.npz"
    assert cached.read_bytes() == payload
    assert not list(cached.parent.glob("*.part"))
    _check_mnist(mk.datasets.mnist.load_data(), arrays)  # second call: from the cache
    assert len(calls) == 1


def test_mnist_download_with_wrong_hash_is_refused_and_removed(tmp_path, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=None: io.BytesIO(b"junk"))
    with pytest.raises(ValueError, match="corrupted"):
        mk.datasets.mnist.load_data()
    assert not (tmp_path / "keras_home" / "datasets" / "mnist.npz").exists()


def test_mnist_file_of_another_form_is_refused(tmp_path):
    file = tmp_path / "other.npz"
    np.savez(file, x_train=np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(ValueError, match=r"missing \['y_train', 'x_test', 'y_test'\]"):
        mk.datasets.mnist.load_data(path=file)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        mk.datasets.mnist.load_data(path=tmp_path / "absent.npz")


def _write_idx(folder: Path, n_train: int = 6, n_test: int = 3) -> dict[str, np.ndarray]:
    """The four gzipped IDX files of Fashion-MNIST, with real IDX headers."""
    rng = np.random.default_rng(1)
    out = {}
    folder.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        label_header = np.array([2049, n], dtype=">i4").tobytes()
        image_header = np.array([2051, n, 28, 28], dtype=">i4").tobytes()
        with gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(label_header + labels.tobytes())
        with gzip.open(folder / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
            f.write(image_header + images.tobytes())
        out[f"y_{'train' if prefix == 'train' else 'test'}"] = labels
        out[f"x_{'train' if prefix == 'train' else 'test'}"] = images
    return out


def test_fashion_mnist_reads_a_folder_and_the_keras_cache(tmp_path):
    arrays = _write_idx(tmp_path / "mine")
    _check_mnist(mk.datasets.fashion_mnist.load_data(path=tmp_path / "mine"), arrays)
    cached = _write_idx(tmp_path / "keras_home" / "datasets" / "fashion-mnist", n_train=4)
    _check_mnist(mk.datasets.fashion_mnist.load_data(), cached)


def test_fashion_mnist_offline_and_missing_files(tmp_path):
    folder = tmp_path / "keras_home" / "datasets" / "fashion-mnist"
    with pytest.raises(OSError) as info:
        mk.datasets.fashion_mnist.load_data()
    message = str(info.value)
    assert fashion_mnist.BASE_URL + "train-labels-idx1-ubyte.gz" in message
    assert str(folder / "train-labels-idx1-ubyte.gz") in message
    partial = tmp_path / "partial"
    _write_idx(partial)
    (partial / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte.gz"):
        mk.datasets.fashion_mnist.load_data(path=partial)


def test_fashion_mnist_refuses_images_that_do_not_match_the_labels(tmp_path):
    folder = tmp_path / "odd"
    _write_idx(folder)
    with gzip.open(folder / "train-images-idx3-ubyte.gz", "wb") as f:
        f.write(b"\0" * 16 + b"\1" * 100)
    with pytest.raises(ValueError, match="not 6 images of 28x28"):
        mk.datasets.fashion_mnist.load_data(path=folder)


def test_keras_home_fallback_is_dot_keras(monkeypatch):
    monkeypatch.delenv("KERAS_HOME")
    assert _common.keras_home().name == ".keras"


# ---------------------------------------------------------------------- generators
def test_make_moons_is_seeded_balanced_and_two_dimensional():
    x, y = mk.datasets.make_moons(101, noise=0.1, seed=3)
    x2, y2 = mk.datasets.make_moons(101, noise=0.1, seed=3)
    x3, _ = mk.datasets.make_moons(101, noise=0.1, seed=4)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(x, x3)
    assert x.shape == (101, 2) and x.dtype == np.float64 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [50, 51]
    clean, labels = mk.datasets.make_moons(200, seed=0)
    upper = clean[labels == 0]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, rtol=1e-12, atol=1e-12)
    lower = clean[labels == 1]
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0,
                               rtol=1e-12, atol=1e-12)


def test_make_blobs_classes_sit_around_their_centres():
    centers = np.array([[0.0, 0.0], [10.0, 10.0], [-10.0, 5.0]])
    x, y = mk.datasets.make_blobs(300, centers=centers, cluster_std=0.5, seed=0)
    assert x.shape == (300, 2) and np.bincount(y).tolist() == [100, 100, 100]
    for k, c in enumerate(centers):
        np.testing.assert_allclose(x[y == k].mean(axis=0), c, rtol=0, atol=0.2)
    xa, ya = mk.datasets.make_blobs(50, centers=4, n_features=3, seed=9)
    xb, yb = mk.datasets.make_blobs(50, centers=4, n_features=3, seed=9)
    assert xa.shape == (50, 3) and set(ya) == {0, 1, 2, 3}
    np.testing.assert_array_equal(xa, xb)


def test_make_linear_regression_is_exactly_linear_without_noise():
    x, y, coef = mk.datasets.make_linear_regression(50, n_features=3, bias=2.0,
                                                    return_coef=True, seed=1)
    design = np.column_stack([x, np.ones(len(x))])
    fitted, *_ = np.linalg.lstsq(design, y, rcond=None)
    np.testing.assert_allclose(fitted, [*coef, 2.0], rtol=1e-10, atol=1e-12)
    xn, yn = mk.datasets.make_linear_regression(2000, coef=[3.0], noise=0.5, seed=2)
    np.testing.assert_allclose(np.std(yn - 3.0 * xn[:, 0]), 0.5, rtol=0.05, atol=0)


@pytest.mark.parametrize("call, message", [
    (lambda: mk.datasets.make_moons(1), "n_samples"),
    (lambda: mk.datasets.make_moons(10, noise=-1), "noise"),
    (lambda: mk.datasets.make_blobs(10, centers=0), "centers"),
    (lambda: mk.datasets.make_blobs(10, centers=[1.0, 2.0]), "centers"),
    (lambda: mk.datasets.make_linear_regression(10, n_features=2, coef=[1.0]), "coef"),
])
def test_generators_reject_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()
