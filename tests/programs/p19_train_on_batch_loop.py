"""A hand-written training loop with train_on_batch, test_on_batch and predict_on_batch.

In the style of the GAN and reinforcement-learning posts that step a compiled model
one batch at a time: shuffle indices by hand, call `train_on_batch` per batch,
log the returned values, and evaluate with `test_on_batch`.
"""

import numpy as np

import minikeras as keras

keras.utils.set_random_seed(19)
(x_train, y_train), (x_test, y_test) = keras.datasets.diabetes.load_data(seed=19)
x_mean, x_std = x_train.mean(axis=0), x_train.std(axis=0)
y_mean, y_std = y_train.mean(), y_train.std()
x_train, x_test = (x_train - x_mean) / x_std, (x_test - x_mean) / x_std
t_train, t_test = (y_train - y_mean) / y_std, (y_test - y_mean) / y_std

model = keras.Sequential([
    keras.Input(shape=(10,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(1),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.005), loss="mse",
              metrics=["mae"])

batch_size = 32
rng = np.random.default_rng(19)
epoch_losses = []
for epoch in range(25):
    order = rng.permutation(len(x_train))
    losses = []
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        loss, mae = model.train_on_batch(x_train[idx], t_train[idx])
        losses.append(loss)
    epoch_losses.append(float(np.mean(losses)))
    if epoch % 5 == 0:
        print(f"epoch {epoch}: loss {epoch_losses[-1]:.4f}")

logs = model.test_on_batch(x_test, t_test, return_dict=True)
print(logs)
predictions = model.predict_on_batch(x_test)

assert isinstance(loss, float) and isinstance(mae, float)
assert epoch_losses[-1] < 0.7 * epoch_losses[0], epoch_losses
assert set(logs) == {"loss", "mae"}
# test_on_batch on one batch is exactly the MSE and MAE of predict_on_batch.
assert predictions.shape == (len(x_test), 1)
np.testing.assert_allclose(logs["loss"], np.mean((predictions[:, 0] - t_test) ** 2), rtol=1e-5)
np.testing.assert_allclose(logs["mae"], np.mean(np.abs(predictions[:, 0] - t_test)), rtol=1e-5)
np.testing.assert_allclose(predictions, model.predict(x_test, verbose=0), rtol=1e-6, atol=1e-7)
# The model explains a good part of the variance of the test targets.
r2 = 1 - np.mean((predictions[:, 0] - t_test) ** 2) / np.var(t_test)
print(f"R2 {r2:.3f}")
assert r2 > 0.3
assert int(model.optimizer.iterations) == 25 * int(np.ceil(len(x_train) / batch_size))
