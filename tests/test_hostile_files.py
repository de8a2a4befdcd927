"""Crafted hostile files are refused with a clear error, and loading them runs nothing.

Each attack starts from a real minikeras file and changes one thing: a pickle
inside the ``.npz``, a config that names ``os.system`` (or another module path
or unregistered class), a zip bomb (by ratio, by declared size, by member
count, nested in the ``.npz``), path traversal member names. Every payload
would leave a marker file (or call a patched ``os.system``) if anything ran it.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import struct
import sys
import zipfile

import numpy as np
import pytest

import minikeras as mk
from minikeras import saving
from minikeras.saving import UnsafeFileError

_REAL_SYSTEM = os.system  # pickled by its own name (posix.system), not the test's stand-in


class _Evil:
    """Unpickling this calls os.system(command)."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (_REAL_SYSTEM, (self.command,))


@pytest.fixture
def good(tmp_path):
    """A valid compiled and trained model file, and its members."""
    mk.utils.set_random_seed(0)
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(2, activation="relu"),
                           mk.layers.Dense(1)])
    model.compile("adam", "mse")
    model.fit(np.ones((4, 3)), np.ones((4, 1)), epochs=1, verbose=0)
    path = tmp_path / "good.keras"
    model.save(path)
    mk.models.load_model(path)  # warm up: every module a load needs is imported now
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    return path, members


def _zip(path, members, compress=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compress) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _npz(arrays):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in arrays.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _npy(arr, allow_pickle=False):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


def _refused(path, calls, match, kind=ValueError, marker=None, load=None):
    before = set(sys.modules)
    with pytest.raises(kind, match=match or None) as info:
        (load or mk.models.load_model)(path)
    assert os.path.basename(str(path)) in str(info.value)
    assert calls == []
    assert set(sys.modules) == before, "loading imported a module"
    if marker is not None:
        assert not os.path.exists(marker)
    return str(info.value)


def _with_meta(tmp_path, members, change, name="hostile.keras"):
    meta = json.loads(members["minikeras.json"])
    change(meta)
    return _zip(tmp_path / name, {**members, "minikeras.json": json.dumps(meta).encode()})


# ----------------------------------------------------------------------------- pickles
def test_pickle_inside_the_npz(tmp_path, good, calls):
    path, members = good
    marker = tmp_path / "pwned"
    evil = np.array([_Evil(f"touch {marker}")], dtype=object)
    inner = zipfile.ZipFile(io.BytesIO(members["weights.npz"]))
    arrays = {n: inner.read(n) for n in inner.namelist()}
    first = sorted(arrays)[0]
    arrays[first] = _npy(evil, allow_pickle=True)
    bad = _zip(tmp_path / "pickle.keras", {**members, "weights.npz": _npz(arrays)})
    msg = _refused(bad, calls, "never unpickles", UnsafeFileError, marker)
    assert first in msg
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(2), mk.layers.Dense(1)])
    _refused(bad, calls, "never unpickles", UnsafeFileError, marker, load=model.load_weights)


def test_pickle_in_the_optimizer_state_and_raw_pickle_members(tmp_path, good, calls):
    path, members = good
    marker = tmp_path / "pwned"
    evil = pickle.dumps(_Evil(f"touch {marker}"))
    opt = _npz({"iterations.npy": _npy(np.array([_Evil(f"touch {marker}")], dtype=object),
                                       allow_pickle=True)})
    bad = _zip(tmp_path / "opt.keras", {**members, "optimizer.npz": opt})
    _refused(bad, calls, "never unpickles", UnsafeFileError, marker)
    raw = _zip(tmp_path / "raw.keras", {**members, "weights.npz": _npz({"x.npy": evil})})
    _refused(raw, calls, "not a NumPy .npy array", ValueError, marker)
    whole = tmp_path / "whole.keras"
    whole.write_bytes(evil)
    _refused(whole, calls, "pickle", ValueError, marker)


def test_other_non_numeric_dtypes(tmp_path, good, calls):
    path, members = good
    for dtype, value in (("U4", ["abcd"]), ([("a", "f8"), ("b", "i4")], [(1.0, 2)]),
                         ("M8[s]", ["2020-01-01"])):
        arr = np.array(value, dtype=dtype)
        bad = _zip(tmp_path / "d.keras", {**members, "weights.npz": _npz({"x.npy": _npy(arr)})})
        _refused(bad, calls, "booleans, integers and floats only", UnsafeFileError)


# ----------------------------------------------------------------------------- configs
@pytest.mark.parametrize("attack", [
    "layer_module_os", "layer_dotted", "activation_os_system", "top_model_popen",
    "initializer_eval", "regularizer_module", "keras_lambda", "registered_name_trick",
])
def test_config_naming_code_is_refused(tmp_path, good, calls, attack):
    path, members = good
    marker = tmp_path / "pwned"
    cmd = f"touch {marker}"

    def change(meta):
        layers = meta["model"]["config"]["layers"]
        dense = layers[1]
        if attack == "layer_module_os":
            layers[1] = {"module": "os", "class_name": "system", "config": {"command": cmd}}
        elif attack == "layer_dotted":
            layers[1] = {"class_name": "os.system", "config": {"command": cmd}}
        elif attack == "activation_os_system":
            dense["config"]["activation"] = "os.system"
        elif attack == "top_model_popen":
            meta["model"]["class_name"] = "subprocess.Popen"
            meta["model"]["config"] = {"args": cmd, "shell": True}
        elif attack == "initializer_eval":
            dense["config"]["kernel_initializer"] = {"class_name": "builtins.eval",
                                                     "config": {"source": cmd}}
        elif attack == "regularizer_module":
            dense["config"]["kernel_regularizer"] = {"module": "subprocess",
                                                     "class_name": "getoutput",
                                                     "config": {"cmd": cmd}}
        elif attack == "keras_lambda":
            layers[1] = {"module": "keras.layers", "class_name": "Lambda",
                         "config": {"function": {"class_name": "__lambda__",
                                                 "config": {"code": cmd}}}}
        elif attack == "registered_name_trick":
            dense["config"]["activation"] = {"class_name": "os>system", "config": {}}

    bad = _with_meta(tmp_path, members, change)
    msg = _refused(bad, calls, "", ValueError, marker)
    assert ("refused" in msg or "Unknown" in msg or "not a Sequential" in msg), msg


@pytest.mark.parametrize("part", ["loss_dotted", "loss_function", "metric_module",
                                  "optimizer_dotted", "loss_name"])
def test_compile_settings_naming_code_are_refused(tmp_path, good, calls, part):
    path, members = good

    def change(meta):
        spec = meta["compile"]
        if part == "loss_dotted":
            spec["loss"] = {"class_name": "os.system", "config": {}}
        elif part == "loss_function":
            spec["loss"] = {"function": "system"}
        elif part == "metric_module":
            spec["metrics"] = [{"module": "os", "class_name": "system", "config": {}}]
        elif part == "optimizer_dotted":
            spec["optimizer"] = {"class_name": "posix.system", "config": {}}
        elif part == "loss_name":
            spec["loss"] = "os.system"

    bad = _with_meta(tmp_path, members, change)
    msg = _refused(bad, calls, "", ValueError)
    assert "refused" in msg or "not registered" in msg or "Unknown" in msg, msg
    # compile=False skips the compile settings: the model itself is fine.
    assert not mk.models.load_model(bad, compile=False).compiled


def test_random_generator_state_cannot_name_code(tmp_path, good, calls):
    path, members = good

    def change(meta):
        meta["rng"][0]["state"]["bit_generator"] = "os.system"

    _refused(_with_meta(tmp_path, members, change), calls, "not one of NumPy's",
             UnsafeFileError)

    def change_array(meta):
        meta["rng"][0]["state"]["state"] = {"__ndarray__": "object", "data": [1]}

    _refused(_with_meta(tmp_path, members, change_array, "b.keras"), calls, "malformed")


def test_absurd_layer_sizes_do_not_exhaust_memory(tmp_path, good, calls):
    path, members = good

    def change(meta):
        meta["model"]["config"]["layers"][1]["config"]["units"] = 10**13

    _refused(_with_meta(tmp_path, members, change), calls, "more memory|Unable|units")


# ----------------------------------------------------------------------------- zip bombs
def test_zip_bomb_by_compression_ratio(tmp_path, good, calls):
    path, members = good
    bomb = bytes(16 << 20)  # 16 MiB of zeros deflate to ~16 KiB
    bad = tmp_path / "bomb.keras"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("minikeras.json", members["minikeras.json"])
        zf.writestr(zipfile.ZipInfo("weights.npz"), bomb, compress_type=zipfile.ZIP_DEFLATED)
    _refused(bad, calls, "zip bomb", UnsafeFileError)


def test_zip_bomb_nested_in_the_npz(tmp_path, good, calls):
    path, members = good
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("layers/0000/0.npy", _npy(np.zeros(4 << 20)))
    bad = _zip(tmp_path / "nested.keras", {**members, "weights.npz": buf.getvalue()})
    _refused(bad, calls, "zip bomb", UnsafeFileError)


def _central_entries(data: bytes):
    """Offsets of the central-directory entries, found through the end record (a stored
    inner .npz holds its own "PK\\x01\\x02" bytes, so a plain search would be fooled)."""
    end = data.rfind(b"PK\x05\x06")
    count, _, start = struct.unpack_from("<HII", data, end + 10)
    at = start
    for _ in range(count):
        yield at
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, at + 28)
        at += 46 + name_len + extra_len + comment_len


def _forge_size(data: bytes, name: bytes, size: int) -> bytes:
    """Rewrite a member's declared uncompressed size in both headers."""
    out = bytearray(data)
    for at in _central_entries(data):
        name_len = struct.unpack_from("<H", out, at + 28)[0]
        if bytes(out[at + 46:at + 46 + name_len]) == name:
            struct.pack_into("<I", out, at + 24, size)
            local = struct.unpack_from("<I", out, at + 42)[0]
            struct.pack_into("<I", out, local + 22, size)
    return bytes(out)


def test_zip_bomb_by_declared_size(tmp_path, good, calls):
    path, members = good
    data = _forge_size(path.read_bytes(), b"weights.npz", 0xFFFFFF00)
    bad = tmp_path / "declared.keras"
    bad.write_bytes(data)
    _refused(bad, calls, "zip bomb", UnsafeFileError)


def test_total_size_limit(tmp_path, good, calls, monkeypatch):
    path, members = good
    monkeypatch.setitem(saving.LIMITS, "max_total_bytes", 1000)
    _refused(path, calls, "declares more than 1000", UnsafeFileError)


def test_huge_member_count(tmp_path, good, calls):
    path, members = good
    many = dict(members)
    many.update({f"pad/{i}": b"" for i in range(saving.LIMITS["max_members"] + 1)})
    _refused(_zip(tmp_path / "many.keras", many), calls, "members, more than the limit",
             UnsafeFileError)
    npz = _npz({f"x{i}.npy": b"" for i in range(saving.LIMITS["max_members"] + 1)})
    _refused(_zip(tmp_path / "many_npz.keras", {**members, "weights.npz": npz}), calls,
             "members, more than the limit", UnsafeFileError)


def test_array_header_claiming_a_huge_shape(tmp_path, good, calls):
    path, members = good
    header = _npy(np.zeros(2))
    forged = header.replace(b"(2,)", b"(10000000000000,)")
    bad = _zip(tmp_path / "shape.keras",
               {**members, "weights.npz": _npz({"layers/0000/0.npy": forged})})
    _refused(bad, calls, "needs .* bytes but holds")


def test_json_bombs(tmp_path, good, calls, monkeypatch):
    path, members = good
    deep = ("[" * 200_000 + "]" * 200_000).encode()
    _refused(_zip(tmp_path / "deep.keras", {**members, "minikeras.json": deep}), calls,
             "nested too deeply", UnsafeFileError)
    monkeypatch.setitem(saving.LIMITS, "max_json_bytes", 100)
    _refused(path, calls, "over the limit", UnsafeFileError)


# ----------------------------------------------------------------------------- names
@pytest.mark.parametrize("name", ["../evil.npy", "/etc/passwd", "a/../../b", "..\\win.npy",
                                  "C:/x.npy", "a//b", "./x", "sp ace/x;rm"])
def test_path_traversal_names(tmp_path, good, calls, name):
    path, members = good
    bad = _zip(tmp_path / "trav.keras", {**members, name: b"x"})
    _refused(bad, calls, "path traversal|characters", UnsafeFileError)
    npz = _npz({name: _npy(np.zeros(2))})
    bad2 = _zip(tmp_path / "trav_npz.keras", {**members, "weights.npz": npz})
    _refused(bad2, calls, "path traversal|characters", UnsafeFileError)
    assert not (tmp_path.parent / "evil.npy").exists()


def test_duplicate_encrypted_and_exotic_members(tmp_path, good, calls):
    path, members = good
    dup = tmp_path / "dup.keras"
    with zipfile.ZipFile(dup, "w") as zf:
        for n, b in members.items():
            zf.writestr(n, b)
        with pytest.warns(UserWarning):
            zf.writestr("weights.npz", members["weights.npz"])
    _refused(dup, calls, "two members named", UnsafeFileError)

    enc = bytearray(path.read_bytes())
    for at in _central_entries(bytes(enc)):
        enc[at + 8] |= 0x1  # the "encrypted" flag
    (tmp_path / "enc.keras").write_bytes(bytes(enc))
    _refused(tmp_path / "enc.keras", calls, "encrypted", UnsafeFileError)

    bz = _zip(tmp_path / "bz.keras", members, compress=zipfile.ZIP_BZIP2)
    _refused(bz, calls, "compression method", UnsafeFileError)
