"""Custom losses and metrics passed to compile: functions and subclasses written with ops.

In the style of keras.io's "Training & evaluation with the built-in methods": a loss
function, a `keras.losses.Loss` subclass with a regularization term, a metric function,
and the `CategoricalTruePositives` metric subclass with `add_variable`.
"""

import numpy as np

import minikeras as keras
from minikeras import ops

keras.utils.set_random_seed(14)
(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data(test_split=0.2, seed=5)
x_train = x_train.reshape(-1, 64).astype("float32") / 16.0
x_test = x_test.reshape(-1, 64).astype("float32") / 16.0
y_train_one_hot = keras.utils.to_categorical(y_train, num_classes=10)
y_test_one_hot = keras.utils.to_categorical(y_test, num_classes=10)


def get_uncompiled_model():
    return keras.Sequential([
        keras.Input(shape=(64,), name="digits"),
        keras.layers.Dense(32, activation="relu", name="dense_1"),
        keras.layers.Dense(10, activation="softmax", name="predictions"),
    ])


def custom_mean_squared_error(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


def rmse(y_true, y_pred):
    return ops.sqrt(ops.mean(ops.square(y_pred - y_true), axis=-1))


model = get_uncompiled_model()
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
              loss=custom_mean_squared_error, metrics=[rmse, "mse"])
history = model.fit(x_train, y_train_one_hot, batch_size=64, epochs=6, verbose=0)
print({k: np.round(v, 4).tolist() for k, v in history.history.items()})
assert list(history.history) == ["loss", "mse", "rmse"]
# The custom loss is the built-in MSE; the custom metric averages per-sample roots.
np.testing.assert_allclose(history.history["loss"], history.history["mse"], rtol=1e-5)
assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
loss, rmse_value, mse_value = model.evaluate(x_test, y_test_one_hot, verbose=0)
probs = model.predict(x_test, verbose=0)
np.testing.assert_allclose(rmse_value, np.mean(np.sqrt(np.mean((probs - y_test_one_hot) ** 2,
                                                              axis=-1))), rtol=1e-5)


class CustomMSE(keras.losses.Loss):
    def __init__(self, regularization_factor=0.1, name="custom_mse"):
        super().__init__(name=name)
        self.regularization_factor = regularization_factor

    def call(self, y_true, y_pred):
        mse = ops.mean(ops.square(y_true - y_pred), axis=-1)
        reg = ops.mean(ops.square(0.5 - y_pred), axis=-1)
        return mse + reg * self.regularization_factor


class CategoricalTruePositives(keras.metrics.Metric):
    def __init__(self, name="categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
        values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
        values = ops.cast(values, "float32")
        if sample_weight is not None:
            sample_weight = ops.cast(sample_weight, "float32")
            values = ops.multiply(values, sample_weight)
        self.true_positives.assign_add(ops.sum(values))

    def result(self):
        return self.true_positives

    def reset_state(self):
        self.true_positives.assign(0.0)


loss_fn = CustomMSE()
value = loss_fn(y_test_one_hot[:4], probs[:4])
expected = np.mean((y_test_one_hot[:4] - probs[:4]) ** 2) + 0.1 * np.mean((0.5 - probs[:4]) ** 2)
np.testing.assert_allclose(float(value), expected, rtol=1e-5)

model = get_uncompiled_model()
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-2),
              loss=keras.losses.SparseCategoricalCrossentropy(),
              metrics=[CategoricalTruePositives()])
# The metric compares labels with argmax reshaped to (-1, 1): give labels that shape.
history = model.fit(x_train, y_train.reshape(-1, 1), batch_size=64, epochs=3, verbose=0)
print(history.history)
assert list(history.history) == ["categorical_true_positives", "loss"]
# Counts of correct predictions summed over one epoch: at most the training set size.
counts = history.history["categorical_true_positives"]
assert 0 < counts[0] < counts[-1] <= len(x_train), counts
result = model.evaluate(x_test, y_test.reshape(-1, 1), verbose=0, return_dict=True)
predicted = np.argmax(model.predict(x_test, verbose=0), axis=1)
assert result["categorical_true_positives"] == np.sum(predicted == y_test), result
# Labels of shape (n,) broadcast against (n, 1) as in Keras: every pair (i, j) with
# y_i == argmax_j counts, i.e. the sum over classes of true count times predicted count.
flat = model.evaluate(x_test, y_test, batch_size=len(x_test), verbose=0, return_dict=True)
expected_pairs = np.sum(np.bincount(y_test, minlength=10) * np.bincount(predicted, minlength=10))
assert flat["categorical_true_positives"] == expected_pairs, (flat, expected_pairs)

model = get_uncompiled_model()
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss=CustomMSE())
history = model.fit(x_train, y_train_one_hot, batch_size=64, epochs=3, verbose=0)
assert history.history["loss"][-1] < history.history["loss"][0]
