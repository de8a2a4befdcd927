"""Registry: one place where every name, alias, class and config dict resolves.

Each concept (activation, loss, optimizer, initializer, regularizer, constraint,
metric, layer) owns one :class:`Registry`. Registering happens at the class
definition, so adding an activation is a one-file change, and no other code
branches on names. Unknown names get Keras's facts plus a "did you mean".
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

# Objects registered by users (``register_keras_serializable``) or passed as
# ``custom_objects``: looked up by class name after the built-in names.
CUSTOM_OBJECTS: dict[str, Any] = {}


def _edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) that turn ``a`` into ``b``."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]


def suggest(name: str, candidates: list[str]) -> str | None:
    """The candidate ``name`` was most likely meant to be, or None.

    A typo (a swap, a missing or extra letter) wins over a longer name that merely
    shares more letters: ``"adma"`` suggests ``"adam"``, not ``"adamax"``.
    """
    if not candidates:
        return None
    distance, best = min((_edit_distance(name, c), c) for c in candidates)
    if distance <= max(1, len(name) // 4):
        return best
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


class Registry:
    """Names -> classes (or shared instances) for one kind of object.

    Args:
        kind: what is registered, for messages ("activation", "loss"...).
        ignore_case: resolve names case-insensitively (Keras does for optimizers).
        factory: how a registered class becomes an object; default ``cls()``.
    """

    def __init__(self, kind: str, *, ignore_case: bool = False,
                 factory: Callable[[type], Any] | None = None) -> None:
        self.kind = kind
        self.ignore_case = ignore_case
        self._entries: dict[str, Any] = {}
        self._public: list[str] = []
        self._factory = factory or (lambda cls: cls())

    def _key(self, name: str) -> str:
        return name.lower() if self.ignore_case else name

    def register(self, *names: str, public: bool = True) -> Callable[[Any], Any]:
        """Decorator: register a class under ``names`` and under its class name."""

        def decorator(obj: Any) -> Any:
            self.add(obj, *names, public=public)
            return obj

        return decorator

    def add(self, obj: Any, *names: str, public: bool = True) -> None:
        """Register ``obj`` (a class or an instance) under each of ``names``."""
        cls_name = obj.__name__ if isinstance(obj, type) else type(obj).__name__
        for name in (*names, cls_name):
            self._entries[self._key(name)] = obj
        if public:
            self._public.extend(names or (cls_name,))

    def alias(self, alias: str, name: str) -> None:
        """Make ``alias`` resolve to what ``name`` resolves to."""
        self._entries[self._key(alias)] = self._entries[self._key(name)]
        self._public.append(alias)

    def add_snake_case_names(self) -> None:
        """Also resolve each registered class by its snake-cased class name, as Keras does
        (``"auc"``, ``"true_positives"``); names already taken keep their meaning."""
        from .config import to_snake_case

        for entry in list(self._entries.values()):
            if isinstance(entry, type):
                self._entries.setdefault(self._key(to_snake_case(entry.__name__)), entry)

    def names(self) -> list[str]:
        """The public names, sorted (what error messages list)."""
        return sorted(set(self._public))

    def __contains__(self, name: str) -> bool:
        return isinstance(name, str) and self._key(name) in self._entries

    def lookup(self, name: str) -> Any:
        """Return what ``name`` was registered as, or raise with suggestions."""
        entry = self._entries.get(self._key(name))
        if entry is None:
            entry = CUSTOM_OBJECTS.get(name)
        if entry is None:
            raise ValueError(self.unknown_message(name))
        return entry

    def unknown_message(self, name: str) -> str:
        """'Unknown activation 'rleu'. Did you mean 'relu'?' plus the known names."""
        known = self.names()
        pool = {self._key(n): n for n in known}
        close = suggest(self._key(str(name)), list(pool))
        hint = f" Did you mean {pool[close]!r}?" if close else ""
        plural = self.kind + ("es" if self.kind.endswith("s") else "s")
        return (f"Unknown {self.kind} {name!r}.{hint}\n"
                f"  Known {plural}: {', '.join(known)}")

    def get(self, identifier: Any) -> Any:
        """Resolve None, a name, an instance, a class, or a Keras config dict."""
        if identifier is None:
            return None
        if isinstance(identifier, str):
            entry = self.lookup(identifier)
            return self._factory(entry) if isinstance(entry, type) else entry
        if isinstance(identifier, dict):
            return self.from_config_dict(identifier)
        if isinstance(identifier, type):
            return self._factory(identifier)
        return identifier

    def from_config_dict(self, spec: dict[str, Any],
                         custom_objects: dict[str, Any] | None = None) -> Any:
        """Build from ``{"class_name": ..., "config": {...}}`` (Keras's serialized form)."""
        if "class_name" not in spec:
            raise ValueError(
                f"A {self.kind} config dict needs a 'class_name' key. Received: {spec!r}")
        name = spec["class_name"]
        cls = (custom_objects or {}).get(name) or self.lookup(name)
        if not isinstance(cls, type):
            cls = type(cls)
        config = spec.get("config") or {}
        if not isinstance(config, dict):
            raise ValueError(f"The config of {self.kind} {name!r} must be a dict.")
        return cls.from_config(config) if hasattr(cls, "from_config") else cls(**config)


def serialize(obj: Any) -> Any:
    """Keras's serialized form: ``{"class_name": ..., "config": obj.get_config()}``.

    Objects that are plain registered singletons (activations) serialize to
    their name, as Keras writes ``"activation": "relu"``.
    """
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    name = getattr(obj, "serialized_name", None)
    if name is not None:
        return name
    return {"class_name": type(obj).__name__, "config": obj.get_config()}


def registered_key(obj: Any) -> str | None:
    """The ``"package>Name"`` that ``register_keras_serializable`` gave ``obj``, or None."""
    for key, value in CUSTOM_OBJECTS.items():
        if value is obj and ">" in key:
            return key
    return None


def saved_function_name(fn: Any) -> str | None:
    """The name a file stores for a function (files never hold code): the
    ``"package>name"`` it is registered under, as Keras writes it, else its own name;
    None for a lambda."""
    key = registered_key(fn)
    if key is not None:
        return key
    name = getattr(fn, "__name__", None)
    return name if isinstance(name, str) and name != "<lambda>" and name.isidentifier() \
        else None


def registered_function(name: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """The function registered (or passed in ``custom_objects``) under ``name``; None if
    there is none, or if what is registered there is a class rather than a function."""
    fn = (custom_objects or {}).get(name) if isinstance(name, str) else None
    if fn is None and isinstance(name, str):
        fn = CUSTOM_OBJECTS.get(name)
    return fn if callable(fn) and not isinstance(fn, type) else None


def register_keras_serializable(package: str = "Custom",
                                name: str | None = None) -> Callable[[type], type]:
    """Register a custom class so that saved models and configs can name it."""

    def decorator(cls: type) -> type:
        key = name or cls.__name__
        CUSTOM_OBJECTS[key] = cls
        CUSTOM_OBJECTS[f"{package}>{key}"] = cls
        return cls

    return decorator
