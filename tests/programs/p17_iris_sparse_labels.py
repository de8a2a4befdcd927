"""Iris with integer labels: sparse categorical cross-entropy, predict, argmax, threshold.

In the style of the many "Iris classification with Keras" tutorials: scikit-learn's
loader, split and scaler, integer labels, `evaluate(return_dict=True)`, a prediction
for one new flower, and class probabilities thresholded for a "confident" flag.
"""

import numpy as np
from sklearn.datasets import load_iris
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import minikeras as keras

keras.utils.set_random_seed(17)
iris = load_iris()
X_train, X_test, y_train, y_test = train_test_split(
    iris.data, iris.target, test_size=0.2, random_state=42, stratify=iris.target)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

model = keras.Sequential([
    keras.layers.Input(shape=(4,)),
    keras.layers.Dense(10, activation="relu"),
    keras.layers.Dense(10, activation="relu"),
    keras.layers.Dense(3, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(X_train, y_train, epochs=60, batch_size=8, validation_data=(X_test, y_test),
                    verbose=0)

results = model.evaluate(X_test, y_test, verbose=0, return_dict=True)
print(results)
y_prob = model.predict(X_test, verbose=0)
y_pred = np.argmax(y_prob, axis=1)
print("sklearn accuracy:", accuracy_score(y_test, y_pred))

new_flower = scaler.transform(np.array([[5.1, 3.5, 1.4, 0.2]]))
probabilities = model.predict(new_flower, verbose=0)
print("new flower:", iris.target_names[np.argmax(probabilities)], probabilities.round(3))
confident = (y_prob.max(axis=1) > 0.9).astype("int32")

assert set(results) == {"loss", "accuracy"}
assert isinstance(results["loss"], float)
np.testing.assert_allclose(results["accuracy"], accuracy_score(y_test, y_pred), rtol=1e-6)
np.testing.assert_allclose(results["loss"], history.history["val_loss"][-1], rtol=1e-5)
np.testing.assert_allclose(results["loss"],
                           -np.mean(np.log(y_prob[np.arange(len(y_test)), y_test])), rtol=1e-4)
assert iris.target_names[np.argmax(probabilities)] == "setosa"
assert probabilities.shape == (1, 3)
assert confident.dtype == np.int32 and confident.sum() >= len(y_test) // 2
assert results["accuracy"] >= 0.9
