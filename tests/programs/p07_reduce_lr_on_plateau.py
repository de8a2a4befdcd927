"""ReduceLROnPlateau: the learning rate falls when the validation loss stops improving.

In the style of the Keras docs' `ReduceLROnPlateau(monitor='val_loss', factor=0.2,
patience=5, min_lr=0.001)` example, with the schedule checked against the logged losses.
"""

import numpy as np

import minikeras as keras

keras.utils.set_random_seed(4)
rng = np.random.default_rng(1)
x = rng.normal(size=(600, 8)).astype("float32")
logits = x[:, 0] - 2 * x[:, 1] + x[:, 2] * x[:, 3]
# 15% of the labels flipped: the validation loss reaches its floor and plateaus.
y = ((logits > 0) ^ (rng.random(600) < 0.15)).astype("float32")

model = keras.Sequential([
    keras.Input(shape=(8,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.2, momentum=0.9),
              loss="binary_crossentropy", metrics=["accuracy"])
reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=3,
                                              min_lr=0.001, verbose=1)
history = model.fit(x, y, epochs=30, batch_size=32, validation_split=0.25,
                    callbacks=[reduce_lr], verbose=0)

lrs = history.history["learning_rate"]
print(np.round(lrs, 5))
assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss",
                                 "learning_rate"]

# Replay Keras's rule on the logged validation losses: after `patience` epochs without
# an improvement larger than min_delta, multiply by factor (never below min_lr).
expected, lr, best, wait = [], 0.2, np.inf, 0
for val_loss in history.history["val_loss"]:
    expected.append(lr)
    if val_loss < best - 1e-4:
        best, wait = val_loss, 0
    else:
        wait += 1
        if wait >= 3 and lr > np.float32(0.001):
            lr, wait = max(lr * 0.2, 0.001), 0
np.testing.assert_allclose(lrs, expected, rtol=1e-6)
np.testing.assert_allclose(float(model.optimizer.learning_rate), lr, rtol=1e-6)
assert lrs[-1] < lrs[0], "the plateau never reduced the learning rate"
assert history.history["val_accuracy"][-1] > 0.7
