"""Data-parallel training over MPI: the same model, the same numbers, N processes.

Run with the ``mpi`` extra installed (``pip install "minikeras[mpi]"``):

    mpiexec -n 2 python examples/distributed.py

Each process (rank) trains on its share of every global batch of 64 rows; one
Allreduce of the flat gradient buffer per step keeps the weights identical on
every rank. Only rank 0 prints and writes files. Run it with ``python
examples/distributed.py`` (one process) to see the same history.
"""

from __future__ import annotations

import os

import numpy as np

import minikeras as keras
from minikeras import distribution


def main(epochs: int = 10, seed: int = 0) -> dict[str, float]:
    """Train a digits classifier data-parallel; return the test metrics (on every rank)."""
    keras.utils.set_random_seed(seed)
    if _launched_by_mpiexec():
        distribution.set_distribution(distribution.DataParallel())
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data(seed=seed)
    x_train = x_train.reshape(len(x_train), -1).astype("float32") / 16.0
    x_test = x_test.reshape(len(x_test), -1).astype("float32") / 16.0
    model = keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=epochs, batch_size=64, validation_split=0.1,
              verbose=2)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    if distribution.is_chief():
        ranks = distribution.distribution().size if distribution.distribution() else 1
        print(f"ranks={ranks} test_loss={loss:.4f} test_accuracy={accuracy:.4f}")
    return {"loss": float(loss), "accuracy": float(accuracy)}


def _launched_by_mpiexec() -> bool:
    """True under mpiexec (MPICH's PMI or Open MPI's variables are set)."""
    names = ("PMI_RANK", "PMI_SIZE", "PMIX_RANK", "OMPI_COMM_WORLD_SIZE")
    return any(name in os.environ for name in names)


if __name__ == "__main__":
    np.set_printoptions(precision=4)
    main()
