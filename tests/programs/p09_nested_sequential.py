"""A Sequential model used as a layer inside another Sequential.

In the style of the keras.io Sequential-model guide: a feature extractor built once and
reused inside a classifier; its weights are shared and train through the outer model.
"""

import numpy as np

import minikeras as keras

keras.utils.set_random_seed(9)
(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data(test_split=0.25, seed=1)
x_train = x_train.reshape(-1, 64).astype("float32") / 16.0
x_test = x_test.reshape(-1, 64).astype("float32") / 16.0

feature_extractor = keras.Sequential(
    [
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(16, activation="relu"),
    ],
    name="features",
)
classifier = keras.Sequential(
    [
        keras.Input(shape=(64,)),
        feature_extractor,
        keras.layers.Dense(10, activation="softmax"),
    ]
)
classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                   metrics=["accuracy"])
classifier.summary()
before = [w.copy() for w in feature_extractor.get_weights()]
history = classifier.fit(x_train, y_train, epochs=15, batch_size=32, verbose=0,
                         validation_split=0.1)
loss, accuracy = classifier.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy {accuracy:.3f}")

assert classifier.layers[0] is feature_extractor
assert len(classifier.layers) == 2
assert len(classifier.weights) == 6 and len(feature_extractor.weights) == 4
assert classifier.count_params() == (64 * 32 + 32) + (32 * 16 + 16) + (16 * 10 + 10)
# The nested model's weights trained through the outer model.
assert all(not np.allclose(a, b) for a, b in zip(before, feature_extractor.get_weights()))
# The outer model is the composition of its parts.
features = feature_extractor.predict(x_test, verbose=0)
assert features.shape == (len(x_test), 16)
head = classifier.layers[1]
kernel, bias = head.get_weights()
logits = features @ kernel + bias
manual = np.exp(logits - logits.max(axis=1, keepdims=True))
manual /= manual.sum(axis=1, keepdims=True)
np.testing.assert_allclose(classifier.predict(x_test, verbose=0), manual, rtol=1e-4, atol=1e-6)
assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
assert accuracy >= 0.9, accuracy

# The trained extractor is reused in a second model that shares its weights.
regressor = keras.Sequential([keras.Input(shape=(64,)), feature_extractor, keras.layers.Dense(1)])
assert regressor.layers[0].weights[0] is feature_extractor.weights[0]
