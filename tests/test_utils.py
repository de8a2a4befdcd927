"""keras.utils helpers beyond labels and seeds: pad_sequences, Progbar, data tuples, aliases."""

from __future__ import annotations

import io

import numpy as np
import pytest

import minikeras as mk
from minikeras import utils as U
from tests.helpers.tolerances import assert_close


def test_pad_sequences_matches_keras_docstring_examples():
    seqs = [[1], [2, 3], [4, 5, 6]]
    out = U.pad_sequences(seqs)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, [[0, 0, 1], [0, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(U.pad_sequences(seqs, value=-1),
                                  [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(U.pad_sequences(seqs, padding="post"),
                                  [[1, 0, 0], [2, 3, 0], [4, 5, 6]])
    np.testing.assert_array_equal(U.pad_sequences(seqs, maxlen=2), [[0, 1], [2, 3], [5, 6]])
    np.testing.assert_array_equal(U.pad_sequences(seqs, maxlen=2, truncating="post"),
                                  [[0, 1], [2, 3], [4, 5]])
    vectors = U.pad_sequences([[[1, 2]], [[3, 4], [5, 6]]], dtype="float32")
    assert vectors.shape == (2, 2, 2) and vectors.dtype == np.float32
    assert U.pad_sequences([[], [1]]).tolist() == [[0], [1]]
    with pytest.raises(ValueError, match="not understood"):
        U.pad_sequences(seqs, padding="middle")
    with pytest.raises(ValueError, match="dtype=object"):
        U.pad_sequences([["a"]], value="x")
    with pytest.raises(ValueError, match="iterables"):
        U.pad_sequences([1, 2])


def test_progbar_averages_values_and_prints_a_final_line(monkeypatch):
    stream = io.StringIO()
    bar = U.Progbar(5)
    bar._stream, bar._dynamic = stream, False  # a pipe: one line when done
    for i in range(5):
        bar.update(i + 1, values=[("loss", 1.0 / (i + 1))])
    (line,) = stream.getvalue().splitlines()
    assert line.startswith("5/5 ") and "/step" in line
    assert line.endswith(f"loss: {np.mean([1, 1 / 2, 1 / 3, 1 / 4, 1 / 5]):.4f}")
    stream = io.StringIO()
    bar = U.Progbar(None, verbose=2, stateful_metrics=["acc"], unit_name="sample")
    bar._stream = stream
    bar.add(3, [("acc", 0.5)])
    assert stream.getvalue() == ""  # no target: nothing until finalized
    bar.update(6, [("acc", 0.75)], finalize=True)
    assert stream.getvalue().startswith("6/Unknown") and stream.getvalue().strip().endswith(
        "acc: 0.7500") and "/sample" in stream.getvalue()
    silent = U.Progbar(2, verbose=0)
    silent._stream = stream = io.StringIO()
    silent.update(2, [("x", 1.0)])
    assert stream.getvalue() == ""


def test_data_tuples_and_aliases():
    assert U.unpack_x_y_sample_weight((1, 2)) == (1, 2, None)
    assert U.unpack_x_y_sample_weight([1, 2, 3]) == (1, 2, 3)
    assert U.unpack_x_y_sample_weight("x") == ("x", None, None)
    with pytest.raises(ValueError, match="sample_weight"):
        U.unpack_x_y_sample_weight((1, 2, 3, 4))
    assert U.pack_x_y_sample_weight(1) == 1 and U.pack_x_y_sample_weight((1, 2)) == ((1, 2),)
    assert U.pack_x_y_sample_weight(1, 2, 3) == (1, 2, 3)
    assert U.is_keras_tensor(mk.Input((2,))) and not U.is_keras_tensor(np.ones(2))
    assert U.standardize_dtype(None) == mk.config.floatx()
    assert U.standardize_dtype(float) == "float32" and U.standardize_dtype(np.float64) == "float64"
    spec = U.serialize_keras_object(mk.layers.Dense(2))
    assert spec["module"] == "keras.layers" and U.deserialize_keras_object(spec).units == 2
    mk.layers.Dense(1)
    U.clear_session()
    assert mk.layers.Dense(1).name == "dense"


def test_normalize_keeps_float_types_as_keras():
    assert mk.utils.normalize(np.ones((2, 3), "float32")).dtype == np.float32
    assert mk.utils.normalize(np.ones((2, 3))).dtype == np.float64
    assert mk.utils.normalize(np.ones((2, 3), "int32")).dtype == np.float64
    assert mk.utils.normalize([[3.0, 4.0]]).dtype == np.float32  # floatx
    assert_close(mk.utils.normalize([[3.0, 4.0]]), [[0.6, 0.8]], "float32")


def test_to_categorical_reads_digit_strings_as_keras():
    np.testing.assert_array_equal(mk.utils.to_categorical(["0", "2", "1"]), np.eye(3)[[0, 2, 1]])
    with pytest.raises(ValueError, match="not integers"):
        mk.utils.to_categorical(["a", "b"])


def test_get_file_downloads_once_checks_hashes_and_extracts(tmp_path, capsys):
    import hashlib
    import tarfile
    import zipfile

    source = tmp_path / "web"
    source.mkdir()
    (source / "train.csv").write_text("a,b\n1,2\n")
    url = (source / "train.csv").as_uri()  # file:// needs no network
    cache = tmp_path / "cache"
    path = U.get_file("train.csv", url, cache_dir=cache)
    assert path == str(cache / "datasets" / "train.csv")
    assert "Downloading" in capsys.readouterr().out
    (source / "train.csv").write_text("changed\n")
    with open(U.get_file("train.csv", url, cache_dir=cache)) as f:
        assert f.read() == "a,b\n1,2\n"  # from the cache, not fetched again
    md5 = hashlib.md5(b"changed\n").hexdigest()
    assert open(U.get_file("train.csv", url, cache_dir=cache, md5_hash=md5)).read() == "changed\n"
    with pytest.raises(ValueError, match="file hash does not match"):
        U.get_file("other.csv", url, cache_dir=cache, file_hash="0" * 64)
    assert U.get_file(origin=url, cache_dir=cache).endswith("train.csv")  # name from the URL
    with pytest.raises(ValueError, match="Paths are no longer accepted"):
        U.get_file("sub/train.csv", url, cache_dir=cache)
    with zipfile.ZipFile(source / "pack.zip", "w") as z:
        z.writestr("inner/x.txt", "zip")
    folder = U.get_file("pack.zip", (source / "pack.zip").as_uri(), cache_dir=cache, extract=True)
    assert folder.endswith("pack_extracted") and open(f"{folder}/inner/x.txt").read() == "zip"
    member = source / "y.txt"
    member.write_text("tar")
    with tarfile.open(source / "pack.tar.gz", "w:gz") as t:
        t.add(member, arcname="y.txt")
    folder = U.get_file("data", (source / "pack.tar.gz").as_uri(), cache_dir=cache, untar=True)
    assert folder == str(cache / "datasets" / "data") and open(f"{folder}/y.txt").read() == "tar"


def test_get_file_refuses_tar_links_and_escapes(tmp_path):
    import tarfile

    source = tmp_path / "web"
    source.mkdir()
    (source / "a.txt").write_text("a")
    with tarfile.open(source / "links.tar", "w") as t:
        t.add(source / "a.txt", arcname="./a.txt")
        link = tarfile.TarInfo("escape")
        link.type, link.linkname = tarfile.SYMTYPE, "../../outside"
        t.addfile(link)
    with tarfile.open(source / "dots.tar", "w") as t:
        t.add(source, arcname=".", recursive=False)  # a "." member, as `tar -C dir .` makes
        t.add(source / "a.txt", arcname="./sub/a.txt")
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match="is a link"):
        U.get_file("links.tar", (source / "links.tar").as_uri(), cache_dir=cache, extract=True)
    assert not (tmp_path / "outside").exists()
    folder = U.get_file("dots.tar", (source / "dots.tar").as_uri(), cache_dir=cache,
                        extract=True)
    with open(f"{folder}/sub/a.txt") as f:
        assert f.read() == "a"
