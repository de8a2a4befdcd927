"""Regression with a Normalization layer adapted to the training features.

In the style of tensorflow.org's "Basic regression: predict fuel efficiency": a linear
model and a DNN, both starting with `Normalization.adapt`, trained on mean absolute error.
"""

import numpy as np

import minikeras as keras

keras.utils.set_random_seed(3)

(train_features, train_labels), (test_features, test_labels) = \
    keras.datasets.diabetes.load_data(test_split=0.2, seed=113)

normalizer = keras.layers.Normalization(axis=-1)
normalizer.adapt(np.array(train_features))
print(normalizer.mean.numpy())

# adapt() stores the population mean and variance of each feature.
np.testing.assert_allclose(np.ravel(normalizer.mean.numpy()), train_features.mean(axis=0),
                           rtol=1e-5, atol=1e-7)
np.testing.assert_allclose(np.ravel(normalizer.variance.numpy()), train_features.var(axis=0),
                           rtol=1e-4, atol=1e-7)


def build_and_compile_model(norm):
    model = keras.Sequential([
        norm,
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(1),
    ])
    model.compile(loss="mean_absolute_error", optimizer=keras.optimizers.Adam(0.01))
    return model


linear_model = keras.Sequential([normalizer, keras.layers.Dense(units=1)])
linear_model.compile(optimizer=keras.optimizers.Adam(learning_rate=1.0),
                     loss="mean_absolute_error")
linear_history = linear_model.fit(train_features, train_labels, epochs=60, verbose=0,
                                  validation_split=0.2)

dnn_model = build_and_compile_model(normalizer)
history = dnn_model.fit(train_features, train_labels, validation_split=0.2, verbose=0,
                        epochs=60)

test_results = {
    "linear_model": linear_model.evaluate(test_features, test_labels, verbose=0),
    "dnn_model": dnn_model.evaluate(test_features, test_labels, verbose=0),
}
print(test_results)

test_predictions = dnn_model.predict(test_features).flatten()
baseline_mae = np.mean(np.abs(test_labels - train_labels.mean()))
print(f"baseline MAE {baseline_mae:.1f}")

assert sorted(history.history) == ["loss", "val_loss"]
assert len(history.history["loss"]) == 60 and history.epoch == list(range(60))
assert history.history["loss"][-1] < 0.8 * history.history["loss"][0]
assert test_predictions.shape == (len(test_labels),)
np.testing.assert_allclose(np.mean(np.abs(test_predictions - test_labels)),
                           test_results["dnn_model"], rtol=1e-4)
for name, mae in test_results.items():
    assert isinstance(mae, float), type(mae)
    assert mae < 0.8 * baseline_mae, (name, mae, baseline_mae)
