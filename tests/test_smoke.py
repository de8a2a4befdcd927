"""End-to-end: a small network learns a separable problem."""

import numpy as np

import minikeras as mk


def test_fit_learns_a_separable_problem():
    mk.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 4)).astype("float32")
    y = (x[:, 0] - x[:, 1] > 0).astype("float32")
    model = mk.Sequential([mk.Input((4,)), mk.layers.Dense(8, activation="relu"),
                           mk.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=mk.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.95
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x, verbose=0).dtype == np.float32
