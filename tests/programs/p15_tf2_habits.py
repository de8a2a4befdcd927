"""tf.keras 2 habits that blog code still has, where Keras 3 still accepts them.

In the style of the 2017-2020 blog posts ("Your first deep learning project in Python
with Keras step-by-step"): `from keras.models import Sequential`, `input_dim=`,
`metrics=['acc']` with `history.history['val_acc']`, `kernel_regularizer=l2(...)`,
`keras.backend.clear_session()`, `model.metrics_names`, and `SGD(decay=...)`.
"""

import warnings

import numpy as np

import minikeras as keras
from minikeras import backend as K
from minikeras.layers import Dense, Dropout
from minikeras.models import Sequential
from minikeras.regularizers import l2

K.clear_session()
np.random.seed(7)
keras.utils.set_random_seed(7)

(X, Y), (X_test, Y_test) = keras.datasets.breast_cancer.load_data()
mean, std = X.mean(axis=0), X.std(axis=0)
X, X_test = (X - mean) / std, (X_test - mean) / std

model = Sequential()
model.add(Dense(12, input_dim=30, activation="relu", kernel_regularizer=l2(0.001)))
model.add(Dropout(0.2))
model.add(Dense(8, activation="relu", kernel_regularizer=keras.regularizers.l2(0.001)))
model.add(Dense(1, activation="sigmoid"))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    sgd = keras.optimizers.SGD(learning_rate=0.05, decay=1e-6, momentum=0.9, nesterov=True)
print([str(w.message) for w in caught])
model.compile(loss="binary_crossentropy", optimizer=sgd, metrics=["acc"])
history = model.fit(X, Y, validation_split=0.33, epochs=30, batch_size=10, verbose=0)
print(history.history.keys())

scores = model.evaluate(X_test, Y_test, verbose=0)
print("\n%s: %.2f%%" % (model.metrics_names[1], scores[1] * 100))  # noqa: UP031
for name, value in zip(model.metrics_names, scores):
    print(name, value)

assert sorted(history.history.keys()) == ["acc", "loss", "val_acc", "val_loss"]
assert len(history.history["val_acc"]) == 30
assert max(history.history["val_acc"]) > 0.93
assert model.metrics_names[0] == "loss"
assert scores[1] > 0.93
# The l2 penalties are part of the loss: the training loss exceeds the plain
# cross-entropy of the same predictions.
p = np.clip(model.predict(X, verbose=0)[:, 0], 1e-7, 1 - 1e-7)
bce = -np.mean(Y * np.log(p) + (1 - Y) * np.log(1 - p))
penalty = 0.001 * sum(np.sum(model.layers[i].kernel.numpy() ** 2) for i in (0, 2))
loss_value = model.evaluate(X, Y, verbose=0)[0]
np.testing.assert_allclose(loss_value, bce + penalty, rtol=1e-4)
assert K.floatx() == "float32" and K.epsilon() == 1e-7
