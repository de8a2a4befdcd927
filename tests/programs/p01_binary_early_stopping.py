"""Binary classification with EarlyStopping and a best-only ModelCheckpoint.

In the style of the "train a classifier, stop early, keep the best model" blog posts:
standardize with scikit-learn, train a small MLP, reload the checkpoint.
"""

import numpy as np
from sklearn.preprocessing import StandardScaler

import minikeras as keras

keras.utils.set_random_seed(7)

(x_train, y_train), (x_test, y_test) = keras.datasets.breast_cancer.load_data(
    test_split=0.2, seed=113)
scaler = StandardScaler()
x_train = scaler.fit_transform(x_train)
x_test = scaler.transform(x_test)

model = keras.Sequential([
    keras.Input(shape=(x_train.shape[1],)),
    keras.layers.Dense(16, activation="relu"),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(8, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
              loss=keras.losses.BinaryCrossentropy(), metrics=["accuracy"])

early_stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5,
                                           restore_best_weights=True, verbose=1)
checkpoint = keras.callbacks.ModelCheckpoint("best_model.keras", monitor="val_loss",
                                             save_best_only=True, verbose=1)
history = model.fit(x_train, y_train, epochs=300, batch_size=32, validation_split=0.2,
                    callbacks=[early_stop, checkpoint], verbose=0)

val_loss = history.history["val_loss"]
best_epoch = int(np.argmin(val_loss))
print(f"stopped at epoch {early_stop.stopped_epoch + 1}, best epoch {best_epoch + 1}")

# Early stopping ended training `patience` epochs after the best one.
assert early_stop.stopped_epoch > 0, "training ran all 300 epochs"
assert len(history.epoch) == early_stop.stopped_epoch + 1 == best_epoch + 1 + 5
assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]

# The checkpoint holds the best model; restore_best_weights put the same weights back.
best = keras.models.load_model("best_model.keras")
np.testing.assert_allclose(best.predict(x_test, verbose=0), model.predict(x_test, verbose=0),
                           rtol=1e-6, atol=1e-7)
n_val = len(x_train) - int(len(x_train) * 0.8)
x_val, y_val = x_train[-n_val:], y_train[-n_val:]
best_val_loss, _ = best.evaluate(x_val, y_val, verbose=0)
np.testing.assert_allclose(best_val_loss, min(val_loss), rtol=1e-4)

test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy {test_accuracy:.3f}")
assert test_accuracy >= 0.93
