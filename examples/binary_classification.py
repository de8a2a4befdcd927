"""Binary classification: breast cancer, a ReLU hidden layer, sigmoid + BinaryCrossEntropy.

Run: ``python examples/binary_classification.py``. The program itself ships in the
package, as ``python -m minikeras`` (``minikeras/__main__.py``: read it there), so that
the README's first command runs it from an installed wheel. It standardizes the
features with the training rows' statistics, trains ``Dense(16, relu, L2(0.01)) ->
Dense(1, sigmoid)`` with ``BinaryCrossEntropy()`` and Adam, and prints the test
accuracy; the quality test requires >= 0.95 on five different splits.
"""

from __future__ import annotations

from minikeras.__main__ import EPOCHS, standardize
from minikeras.__main__ import binary_classification as main

__all__ = ["EPOCHS", "main", "standardize"]

if __name__ == "__main__":
    result = main(verbose=2)
    print(f"breast cancer: test accuracy {result['accuracy']:.4f}, "
          f"test loss {result['loss']:.4f} ({result['seconds']:.2f} s)")
