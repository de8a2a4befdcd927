"""Write Keras 3's ``summary()`` texts for ``tests/test_summary.py`` (run by hand with the
``bench`` extra; CI never runs it)::

    KERAS_BACKEND=torch COLUMNS=80 /work/venv/bin/python tests/golden/make_golden_summary.py

``COLUMNS=80`` fixes the width Keras reads from the terminal (``shutil``), as in a
non-interactive run: tables 76 characters wide. The models are ``summary_cases.py``'s.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, str(Path(__file__).parent))

import keras  # noqa: E402
from summary_cases import cases  # noqa: E402

OUT = Path(__file__).with_name("summary.json")


def main() -> None:
    if os.environ.get("COLUMNS") != "80":
        raise SystemExit("run with COLUMNS=80 (see the docstring)")
    texts = {}
    for name, (model, kwargs) in cases(keras).items():
        calls: list[str] = []
        model.summary(print_fn=calls.append, **kwargs)
        texts[name] = "".join(calls)
    OUT.write_text(json.dumps({"keras": keras.__version__, "columns": 80, "texts": texts},
                              indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(texts)} summaries)")


if __name__ == "__main__":
    main()
