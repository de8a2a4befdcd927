"""Learning-rate schedules: a LearningRateScheduler callback and ExponentialDecay.

In the style of the Keras docs: the `scheduler(epoch, lr)` example of
`LearningRateScheduler` (with `round(model.optimizer.learning_rate, 5)`), and an
`ExponentialDecay` schedule passed to the optimizer and called on a step.
"""

import math

import numpy as np

import minikeras as keras


def scheduler(epoch, lr):
    if epoch < 10:
        return lr
    else:
        return lr * math.exp(-0.1)


model = keras.models.Sequential([keras.layers.Dense(10)])
model.compile(keras.optimizers.SGD(), loss="mse")
print(round(model.optimizer.learning_rate, 5))
np.testing.assert_allclose(float(round(model.optimizer.learning_rate, 5)), 0.01, rtol=1e-6)

callback = keras.callbacks.LearningRateScheduler(scheduler)
history = model.fit(np.arange(100).reshape(5, 20), np.zeros((5, 10)), epochs=15,
                    callbacks=[callback], verbose=0)
print(len(history.history["loss"]), round(model.optimizer.learning_rate, 5))
assert len(history.history["loss"]) == 15
np.testing.assert_allclose(float(round(model.optimizer.learning_rate, 5)), 0.00607,
                           rtol=1e-6)
assert list(history.history) == ["loss", "learning_rate"]
np.testing.assert_allclose(history.history["learning_rate"],
                           [0.01] * 10 + [0.01 * math.exp(-0.1 * k) for k in range(1, 6)],
                           rtol=1e-6)

# A schedule object: the rate is a function of the optimizer's step.
initial_learning_rate = 0.1
lr_schedule = keras.optimizers.schedules.ExponentialDecay(
    initial_learning_rate, decay_steps=10, decay_rate=0.5, staircase=True)
np.testing.assert_allclose([float(lr_schedule(step)) for step in (0, 9, 10, 25)],
                           [0.1, 0.1, 0.05, 0.025], rtol=1e-6)

keras.utils.set_random_seed(13)
rng = np.random.default_rng(13)
x = rng.normal(size=(320, 3)).astype("float32")
y = (x @ np.array([[0.5], [-1.0], [2.0]])).astype("float32")
model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
optimizer = keras.optimizers.SGD(learning_rate=lr_schedule)
model.compile(optimizer=optimizer, loss="mean_squared_error")
history = model.fit(x, y, batch_size=32, epochs=3, verbose=0)

# 3 epochs of 10 steps: 30 steps, so the rate is 0.1 * 0.5 ** 3.
assert int(optimizer.iterations) == 30
np.testing.assert_allclose(float(optimizer.learning_rate), 0.0125, rtol=1e-6)
assert list(history.history) == ["loss"]
assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]

# A schedule is not settable; a float rate is.
try:
    optimizer.learning_rate = 0.5
except TypeError as err:
    print("TypeError:", err)
else:
    raise AssertionError("setting a scheduled learning rate should raise TypeError")
plain = keras.optimizers.Adam(learning_rate=0.01)
plain.learning_rate = 0.002
np.testing.assert_allclose(float(plain.learning_rate), 0.002, rtol=1e-6)
