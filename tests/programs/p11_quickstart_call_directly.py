"""The beginner quickstart: call the untrained model directly and read `.numpy()`.

In the style of tensorflow.org's "TensorFlow 2 quickstart for beginners", with the bundled
8x8 digits in place of MNIST: logits from `model(x).numpy()`, a from-logits loss called
on them, then a probability model that appends a Softmax layer.
"""

import numpy as np

import minikeras as keras

keras.utils.set_random_seed(12)
(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
x_train, x_test = x_train / 16.0, x_test / 16.0
print(x_train.shape)

model = keras.models.Sequential([
    keras.layers.Flatten(input_shape=(8, 8)),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(10),
])

predictions = model(x_train[:1]).numpy()
print(predictions)
probabilities = keras.activations.softmax(predictions).numpy()
print(probabilities)
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
initial_loss = loss_fn(y_train[:1], predictions).numpy()
print(initial_loss)

assert isinstance(predictions, np.ndarray) and predictions.shape == (1, 10)
np.testing.assert_allclose(probabilities.sum(), 1.0, rtol=1e-5)
np.testing.assert_allclose(initial_loss, -np.log(probabilities[0, y_train[0]]), rtol=1e-4)
assert abs(initial_loss - np.log(10)) < 1.5  # close to -log(1/10) for an untrained model

model.compile(optimizer="adam", loss=loss_fn, metrics=["accuracy"])
model.fit(x_train, y_train, epochs=5)
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=2)

probability_model = keras.Sequential([model, keras.layers.Softmax()])
top5 = probability_model(x_test[:5])
print(top5)
top5 = np.asarray(top5)

assert top5.shape == (5, 10)
np.testing.assert_allclose(top5.sum(axis=1), 1.0, rtol=1e-5)
# The Softmax layer turns the model's logits into predict's probabilities.
logits = model.predict(x_test[:5], verbose=0)
expected = np.exp(logits - logits.max(axis=1, keepdims=True))
np.testing.assert_allclose(top5, expected / expected.sum(axis=1, keepdims=True), rtol=1e-5,
                           atol=1e-7)
# The layers called one by one give the same logits as the model.
h = x_test[:5]
for layer in model.layers:
    h = layer(h)
np.testing.assert_allclose(h.numpy(), logits, rtol=1e-5, atol=1e-6)
assert test_accuracy > 0.9, test_accuracy
