"""Training from a Python generator and from a `keras.utils.PyDataset`.

In the style of the Keras docs' `PyDataset` example (`__len__` with `math.ceil`,
`__getitem__` slicing a batch) and of the blog posts that feed `fit` an endless
generator with `steps_per_epoch`, then evaluate and predict from the dataset.
"""

import math

import numpy as np

import minikeras as keras

keras.utils.set_random_seed(22)
(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data(test_split=0.2, seed=22)
x_train = x_train.reshape(-1, 64).astype("float32") / 16.0
x_test = x_test.reshape(-1, 64).astype("float32") / 16.0


class DigitsDataset(keras.utils.PyDataset):
    def __init__(self, x_set, y_set, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y = x_set, y_set
        self.batch_size = batch_size
        self.epochs_seen = 0

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, idx):
        low = idx * self.batch_size
        high = min(low + self.batch_size, len(self.x))
        return self.x[low:high], self.y[low:high]

    def on_epoch_end(self):
        self.epochs_seen += 1


def batch_generator(x, y, batch_size):
    rng = np.random.default_rng(0)
    while True:
        idx = rng.choice(len(x), size=batch_size, replace=False)
        yield x[idx], keras.utils.to_categorical(y[idx], 10)


def make_model(loss):
    model = keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.005), loss=loss,
                  metrics=["accuracy"])
    return model


train_data = DigitsDataset(x_train, y_train, batch_size=64)
test_data = DigitsDataset(x_test, y_test, batch_size=64)
model = make_model("sparse_categorical_crossentropy")
history = model.fit(train_data, epochs=8, validation_data=test_data, verbose=0)
print({k: round(v[-1], 3) for k, v in history.history.items()})
loss, accuracy = model.evaluate(test_data, verbose=0)
probabilities = model.predict(test_data, verbose=0)

assert len(train_data) == 23 and history.params["steps"] == 23
assert train_data.epochs_seen >= 8
assert probabilities.shape == (len(x_test), 10)
np.testing.assert_allclose(np.mean(np.argmax(probabilities, axis=1) == y_test), accuracy,
                           rtol=1e-6)
np.testing.assert_allclose(history.history["val_accuracy"][-1], accuracy, rtol=1e-6)
assert accuracy > 0.9, accuracy

model = make_model("categorical_crossentropy")
history = model.fit(batch_generator(x_train, y_train, 32), steps_per_epoch=40, epochs=6,
                    verbose=0)
assert history.params["steps"] == 40 and len(history.history["loss"]) == 6
assert history.history["loss"][-1] < history.history["loss"][0]
loss, accuracy = model.evaluate(x_test, keras.utils.to_categorical(y_test, 10), verbose=0)
print("generator-trained accuracy:", accuracy)
assert accuracy > 0.85, accuracy
