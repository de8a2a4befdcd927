"""Multiclass classification: one-hot labels with to_categorical and a softmax output.

In the style of the "handwritten digits with a dense network" course labs: scale the
pixels, one-hot the labels, train with categorical cross-entropy, read the argmax.
"""

import numpy as np

import minikeras as keras
from minikeras.utils import to_categorical

keras.utils.set_random_seed(11)

(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data(test_split=0.2, seed=113)
x_train = x_train.reshape(len(x_train), -1).astype("float32") / 16.0
x_test = x_test.reshape(len(x_test), -1).astype("float32") / 16.0
num_classes = 10
y_train_cat = to_categorical(y_train, num_classes)
y_test_cat = to_categorical(y_test, num_classes)
print(x_train.shape, y_train_cat.shape)

model = keras.Sequential()
model.add(keras.layers.Dense(64, activation="relu", input_shape=(64,)))
model.add(keras.layers.Dropout(0.2))
model.add(keras.layers.Dense(32, activation="relu"))
model.add(keras.layers.Dense(num_classes, activation="softmax"))
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
history = model.fit(x_train, y_train_cat, batch_size=32, epochs=20, verbose=0,
                    validation_split=0.1)

score = model.evaluate(x_test, y_test_cat, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])

probabilities = model.predict(x_test)
predicted = np.argmax(probabilities, axis=1)

assert y_train_cat.dtype == np.float64 and y_train_cat.shape == (len(y_train), 10)
np.testing.assert_array_equal(np.argmax(y_train_cat, axis=1), y_train)
assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
assert history.history["accuracy"][-1] > history.history["accuracy"][0]
assert probabilities.shape == (len(x_test), num_classes)
np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
# evaluate's accuracy is the argmax accuracy of predict's probabilities.
np.testing.assert_allclose(np.mean(predicted == y_test), score[1], rtol=1e-6)
assert score[1] >= 0.93, score
