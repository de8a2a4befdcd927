"""Regression from a pandas DataFrame, one-feature Normalization, history as a DataFrame.

In the style of tensorflow.org's "Basic regression" tutorial: split a DataFrame with
`sample`/`drop`, `pop` the label, a single-feature `Normalization(input_shape=[1,],
axis=None)`, `pd.DataFrame(history.history)`, and the `plot_loss` figure.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.datasets import load_diabetes  # noqa: E402

import minikeras as keras  # noqa: E402
from minikeras import layers  # noqa: E402

keras.utils.set_random_seed(21)
dataset = load_diabetes(as_frame=True).frame
train_dataset = dataset.sample(frac=0.8, random_state=0)
test_dataset = dataset.drop(train_dataset.index)
print(train_dataset.describe().transpose()[["mean", "std"]].head())

train_features = train_dataset.copy()
test_features = test_dataset.copy()
train_labels = train_features.pop("target")
test_labels = test_features.pop("target")

bmi = np.array(train_features["bmi"])
bmi_normalizer = layers.Normalization(input_shape=[1], axis=None)
bmi_normalizer.adapt(bmi)

bmi_model = keras.Sequential([bmi_normalizer, layers.Dense(units=1)])
bmi_model.summary()
untrained = bmi_model.predict(bmi[:10])
bmi_model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.5),
                  loss="mean_absolute_error")
history = bmi_model.fit(train_features["bmi"], train_labels, epochs=60, verbose=0,
                        validation_split=0.2)

hist = pd.DataFrame(history.history)
hist["epoch"] = history.epoch
print(hist.tail())


def plot_loss(history):
    plt.plot(history.history["loss"], label="loss")
    plt.plot(history.history["val_loss"], label="val_loss")
    plt.xlabel("Epoch")
    plt.ylabel("Error [target]")
    plt.legend()
    plt.grid(True)


plot_loss(history)
plt.savefig("loss.png")

x = np.linspace(train_features["bmi"].min(), train_features["bmi"].max(), 51)
y = bmi_model.predict(x)
test_mae = bmi_model.evaluate(test_features["bmi"], test_labels, verbose=0)
print("test MAE:", test_mae)

assert untrained.shape == (10, 1)
assert list(hist.columns) == ["loss", "val_loss", "epoch"] and len(hist) == 60
assert hist["loss"].iloc[-1] < 0.5 * hist["loss"].iloc[0]
assert y.shape == (51, 1)
# One Dense unit after a normalization: a straight line, rising with the body-mass index.
slopes = np.diff(y[:, 0]) / np.diff(x)
np.testing.assert_allclose(slopes, slopes[0], rtol=1e-3)
assert slopes[0] > 0
baseline = np.mean(np.abs(test_labels - train_labels.median()))
assert test_mae < 0.85 * baseline, (test_mae, baseline)
import os  # noqa: E402

assert os.path.getsize("loss.png") > 1000
