"""Overfitting and its cures: L2 weight penalties, dropout, a decaying learning rate.

In the style of tensorflow.org's "Overfit and underfit": logits out of the last layer,
`BinaryCrossentropy(from_logits=True)` as the loss and again as a named metric,
`InverseTimeDecay`, EarlyStopping on `val_binary_crossentropy`, and models of growing
size compared by their validation loss.
"""

import numpy as np

import minikeras as keras
from minikeras import layers, regularizers

keras.utils.set_random_seed(25)
rng = np.random.default_rng(25)
FEATURES = 28
N_TRAIN, N_VALIDATION, BATCH_SIZE = 500, 500, 50
x = rng.normal(size=(N_TRAIN + N_VALIDATION, FEATURES)).astype("float32")
logit = x[:, :4] @ np.array([1.5, -2.0, 1.0, 0.5]) + np.sin(3 * x[:, 4])
y = (logit + 0.5 * rng.logistic(size=len(x)) > 0).astype("float32")[:, None]
train_x, validate_x = x[:N_TRAIN], x[N_TRAIN:]
train_y, validate_y = y[:N_TRAIN], y[N_TRAIN:]
STEPS_PER_EPOCH = N_TRAIN // BATCH_SIZE

lr_schedule = keras.optimizers.schedules.InverseTimeDecay(
    0.001, decay_steps=STEPS_PER_EPOCH * 10, decay_rate=1, staircase=False)
np.testing.assert_allclose([float(lr_schedule(s)) for s in (0, 100, 300)],
                           [0.001, 0.0005, 0.00025], rtol=1e-6)


def get_optimizer():
    return keras.optimizers.Adam(lr_schedule)


def compile_and_fit(model, max_epochs=25):
    model.compile(optimizer=get_optimizer(),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.losses.BinaryCrossentropy(from_logits=True,
                                                           name="binary_crossentropy"),
                           "accuracy"])
    return model.fit(train_x, train_y, batch_size=BATCH_SIZE, epochs=max_epochs,
                     validation_data=(validate_x, validate_y), verbose=0,
                     callbacks=[keras.callbacks.EarlyStopping(
                         monitor="val_binary_crossentropy", patience=10)])


size_histories = {}
size_histories["Tiny"] = compile_and_fit(keras.Sequential([
    layers.Dense(16, activation="elu", input_shape=(FEATURES,)),
    layers.Dense(1),
]))
size_histories["Large"] = compile_and_fit(keras.Sequential([
    layers.Dense(128, activation="elu", input_shape=(FEATURES,)),
    layers.Dense(128, activation="elu"),
    layers.Dense(128, activation="elu"),
    layers.Dense(1),
]))
l2_model = keras.Sequential([
    layers.Dense(128, activation="elu", kernel_regularizer=regularizers.l2(0.001),
                 input_shape=(FEATURES,)),
    layers.Dropout(0.5),
    layers.Dense(128, activation="elu", kernel_regularizer=regularizers.l2(0.001)),
    layers.Dropout(0.5),
    layers.Dense(1),
])
size_histories["L2 + dropout"] = compile_and_fit(l2_model)

for name, history in size_histories.items():
    h = history.history
    print(f"{name:14} epochs {len(h['loss']):3d}  train bce {h['binary_crossentropy'][-1]:.3f}"
          f"  val bce {h['val_binary_crossentropy'][-1]:.3f}  val acc {h['val_accuracy'][-1]:.3f}")

keys = ["accuracy", "binary_crossentropy", "loss", "val_accuracy", "val_binary_crossentropy",
        "val_loss"]
assert all(sorted(h.history) == keys for h in size_histories.values())
tiny = size_histories["Tiny"].history
large = size_histories["Large"].history
reg = size_histories["L2 + dropout"].history
# Without a penalty the loss is the metric; with L2 the loss adds the weight penalty.
np.testing.assert_allclose(tiny["val_loss"], tiny["val_binary_crossentropy"], rtol=1e-5)
assert all(l > b for l, b in zip(reg["val_loss"], reg["val_binary_crossentropy"]))
# The large model fits its training set much better than it generalizes.
gap_large = large["val_binary_crossentropy"][-1] - large["binary_crossentropy"][-1]
gap_reg = reg["val_binary_crossentropy"][-1] - reg["binary_crossentropy"][-1]
assert gap_large > gap_reg, (gap_large, gap_reg)
# The tiny model underfits (still improving at the end); the regularized one is good.
assert tiny["val_accuracy"][-1] > tiny["val_accuracy"][0]
assert reg["val_accuracy"][-1] > 0.8, reg["val_accuracy"][-1]
