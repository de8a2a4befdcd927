"""Plots: the sigmoid S-curve, training curves, a decision boundary and a model diagram.

Run: ``python examples/plots.py [out_dir]`` (needs the ``plot`` extra, matplotlib).
Writes four PNG files with matplotlib's Agg backend (no display needed):
``sigmoid.png``, ``history.png``, ``decision_boundary.png`` and ``model.png``.
The data is the two-moons set, which no straight line separates.
"""

from __future__ import annotations

import sys
from pathlib import Path

import minikeras as keras

EPOCHS = 60


def main(out_dir: str | Path = "plots", seed: int = 0, epochs: int = EPOCHS) -> dict[str, Path]:
    """Train a small network on two moons and write the four figures; return their paths."""
    import matplotlib

    matplotlib.use("Agg")  # files only: works without a display
    import matplotlib.pyplot as plt

    from minikeras import plot

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    x, y = keras.datasets.make_moons(n_samples=400, noise=0.2, seed=seed)

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=(2,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2),
                  loss=keras.losses.BinaryCrossEntropy(), metrics=["accuracy"])
    history = model.fit(x.astype("float32"), y, epochs=epochs, batch_size=32,
                        validation_split=0.25, verbose=0)

    paths = {"sigmoid": out / "sigmoid.png", "history": out / "history.png",
             "decision_boundary": out / "decision_boundary.png", "model": out / "model.png"}
    figures = [
        plot.plot_activation("sigmoid", to_file=paths["sigmoid"]),
        plot.plot_history(history, to_file=paths["history"]),
        plot.plot_decision_boundary(model, x, y, to_file=paths["decision_boundary"],
                                    title="Two moons: Dense(16)-Dense(16)-sigmoid"),
        plot.plot_model(model, to_file=paths["model"], show_shapes=True,
                        show_layer_activations=True),
    ]
    for fig in figures:
        plt.close(fig)
    return paths


if __name__ == "__main__":
    for name, path in main(*sys.argv[1:2]).items():
        print(f"{name}: wrote {path}")
