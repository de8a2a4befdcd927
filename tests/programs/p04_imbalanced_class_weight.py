"""Imbalanced binary data: an initial output bias, class weights, confusion-count metrics.

In the style of tensorflow.org's "Classification on imbalanced data": the METRICS list,
`make_model(output_bias=...)`, initial weights saved once and reloaded per experiment.
"""

import os
import tempfile

import numpy as np
from sklearn.datasets import make_classification
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import minikeras as keras

keras.utils.set_random_seed(0)
features, labels = make_classification(n_samples=6000, n_features=12, n_informative=6,
                                       weights=[0.93], flip_y=0.0, class_sep=0.9,
                                       random_state=0)
neg, pos = np.bincount(labels)
total = neg + pos
print(f"Examples: Total: {total} Positive: {pos} ({100 * pos / total:.2f}% of total)")

train_features, test_features, train_labels, test_labels = train_test_split(
    features, labels, test_size=0.2, random_state=0)
train_features, val_features, train_labels, val_labels = train_test_split(
    train_features, train_labels, test_size=0.2, random_state=0)
scaler = StandardScaler()
train_features = np.clip(scaler.fit_transform(train_features), -5, 5)
val_features = np.clip(scaler.transform(val_features), -5, 5)
test_features = np.clip(scaler.transform(test_features), -5, 5)

# The tutorial's list also has keras.metrics.BinaryCrossentropy(name="cross entropy"); with
# labels of shape (n,) Keras 3's torch backend raises in that metric, so it is left out.
METRICS = [
    keras.metrics.MeanSquaredError(name="Brier score"),
    keras.metrics.TruePositives(name="tp"),
    keras.metrics.FalsePositives(name="fp"),
    keras.metrics.TrueNegatives(name="tn"),
    keras.metrics.FalseNegatives(name="fn"),
    keras.metrics.BinaryAccuracy(name="accuracy"),
    keras.metrics.Precision(name="precision"),
    keras.metrics.Recall(name="recall"),
    keras.metrics.AUC(name="auc"),
    keras.metrics.AUC(name="prc", curve="PR"),
]


def make_model(metrics=METRICS, output_bias=None):
    if output_bias is not None:
        output_bias = keras.initializers.Constant(output_bias)
    model = keras.Sequential([
        keras.layers.Dense(16, activation="relu", input_shape=(train_features.shape[-1],)),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(1, activation="sigmoid", bias_initializer=output_bias),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2),
                  loss=keras.losses.BinaryCrossentropy(), metrics=metrics)
    return model


EPOCHS = 40
BATCH_SIZE = 256
early_stopping = keras.callbacks.EarlyStopping(monitor="val_prc", verbose=1, patience=10,
                                               mode="max", restore_best_weights=True)

initial_bias = np.log([pos / neg])
model = make_model(output_bias=initial_bias)
results = model.evaluate(train_features, train_labels, batch_size=BATCH_SIZE, verbose=0)
print("Loss: {:0.4f}".format(results[0]))  # noqa: UP032 - as the tutorial writes it
p0 = pos / total
np.testing.assert_allclose(model.layers[-1].bias.numpy(), initial_bias, rtol=1e-6)
entropy = -p0 * np.log(p0) - (1 - p0) * np.log(1 - p0)
assert abs(results[0] - entropy) < 0.25 and results[0] < np.log(2), (results[0], entropy)

initial_weights = os.path.join(tempfile.mkdtemp(), "initial.weights.h5")
model.save_weights(initial_weights)

baseline_model = make_model()
baseline_model.load_weights(initial_weights)
baseline_history = baseline_model.fit(
    train_features, train_labels, batch_size=BATCH_SIZE, epochs=EPOCHS,
    callbacks=[early_stopping], validation_data=(val_features, val_labels), verbose=0)
baseline_results = baseline_model.evaluate(test_features, test_labels,
                                           batch_size=BATCH_SIZE, verbose=0)
for name, value in zip(baseline_model.metrics_names, baseline_results):
    print(name, ": ", value)

weight_for_0 = (1 / neg) * (total / 2.0)
weight_for_1 = (1 / pos) * (total / 2.0)
class_weight = {0: weight_for_0, 1: weight_for_1}
weighted_model = make_model()
weighted_model.load_weights(initial_weights)
weighted_history = weighted_model.fit(
    train_features, train_labels, batch_size=BATCH_SIZE, epochs=EPOCHS,
    callbacks=[early_stopping], validation_data=(val_features, val_labels),
    class_weight=class_weight, verbose=0)
weighted = weighted_model.evaluate(test_features, test_labels, batch_size=BATCH_SIZE,
                                   verbose=0, return_dict=True)
baseline = baseline_model.evaluate(test_features, test_labels, batch_size=BATCH_SIZE,
                                   verbose=0, return_dict=True)
print(weighted)

names = ["Brier score", "accuracy", "auc", "fn", "fp", "loss", "prc", "precision", "recall",
         "tn", "tp"]
assert sorted(weighted_history.history) == sorted(names + ["val_" + n for n in names])
assert len(weighted) == 11 and set(weighted) == set(names)
# The confusion counts are those of predictions thresholded at 0.5.
predictions = weighted_model.predict(test_features, batch_size=BATCH_SIZE)
tn, fp, fn, tp = confusion_matrix(test_labels, predictions[:, 0] > 0.5).ravel()
assert (weighted["tn"], weighted["fp"], weighted["fn"], weighted["tp"]) == (tn, fp, fn, tp)
assert weighted["tp"] + weighted["fn"] == test_labels.sum()
np.testing.assert_allclose(weighted["precision"], tp / (tp + fp), rtol=1e-5)
np.testing.assert_allclose(weighted["recall"], tp / (tp + fn), rtol=1e-5)
# Class weights trade precision for recall on the rare class.
assert weighted["recall"] > baseline["recall"], (weighted["recall"], baseline["recall"])
assert weighted["auc"] > 0.9 and baseline["auc"] > 0.9
