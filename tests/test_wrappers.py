"""mk.wrappers: scikit-learn's estimator checks, and the wrappers in real scikit-learn use."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

import minikeras as mk
from tests.helpers.tolerances import assert_close

sklearn = pytest.importorskip("sklearn", reason="scikit-learn is not installed")
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score, cross_validate  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402

from minikeras.wrappers import (  # noqa: E402
    EXPECTED_FAILED_CHECKS,
    SKLearnClassifier,
    SKLearnRegressor,
    SKLearnTransformer,
)


# ---------------------------------------------------------------------- models
# Module-level functions: scikit-learn pickles the estimators that hold them.
def small_classifier(X, y, hidden=16, lr=0.02):
    """One ReLU layer; a sigmoid unit for two classes, else softmax (y is one-hot)."""
    n_classes = y.shape[1]
    out = (mk.layers.Dense(1, activation="sigmoid") if n_classes == 2
           else mk.layers.Dense(n_classes, activation="softmax"))
    model = mk.Sequential([mk.Input((X.shape[1],)), mk.layers.Dense(hidden, activation="relu"),
                           out])
    model.compile(optimizer=mk.optimizers.Adam(lr),
                  loss="binary_crossentropy" if n_classes == 2 else "categorical_crossentropy")
    return model


def small_regressor(X, y, hidden=16):
    model = mk.Sequential([mk.Input((X.shape[1],)), mk.layers.Dense(hidden, activation="relu"),
                           mk.layers.Dense(y.shape[1])])
    model.compile(optimizer=mk.optimizers.Adam(0.02), loss="mse")
    return model


def sparse_softmax(X, y):
    model = mk.Sequential([mk.Input((X.shape[1],)), mk.layers.Dense(8, activation="relu"),
                           mk.layers.Dense(y.shape[1], activation="softmax")])
    model.compile(optimizer=mk.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy")
    return model


@pytest.fixture(scope="module")
def cancer():
    (x_train, y_train), (x_test, y_test) = mk.datasets.breast_cancer.load_data()
    return x_train, y_train, x_test, y_test


@pytest.fixture(scope="module")
def cancer_small(cancer):
    """200 standardized rows: enough to learn, fast to fit."""
    x, y = cancer[0][:200], cancer[1][:200]
    return StandardScaler().fit_transform(x), y


def blobs(n=90, n_classes=3, n_features=4, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=4.0, size=(n_classes, n_features))
    y = np.arange(n) % n_classes
    return centers[y] + rng.normal(size=(n, n_features)), y


# ---------------------------------------------------------------------- check_estimator
@pytest.mark.parametrize("estimator", [
    SKLearnClassifier(small_classifier, fit_kwargs={"epochs": 20}),
    SKLearnRegressor(small_regressor, fit_kwargs={"epochs": 20}),
    SKLearnTransformer(small_regressor, fit_kwargs={"epochs": 20}),
], ids=["classifier", "regressor", "transformer"])
def test_check_estimator(estimator):
    name = type(estimator).__name__
    expected = EXPECTED_FAILED_CHECKS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(estimator, expected_failed_checks=expected, on_fail=None,
                                  on_skip=None)
    failed = [(r["check_name"], repr(r["exception"])[:300]) for r in results
              if r["status"] == "failed"]
    assert not failed, failed
    xfailed = {r["check_name"] for r in results if r["status"] == "xfail"}
    # Every listed failure still fails: the list stays honest as the code changes.
    assert xfailed == set(expected)
    skipped = [r for r in results if r["status"] == "skipped"]
    # Only the array-API check may skip, and only because SCIPY_ARRAY_API is not set.
    assert all(r["check_name"] == "check_array_api_input" for r in skipped), skipped
    passed = sum(r["status"] == "passed" for r in results)
    # (fewer checks apply to a transformer; Keras 3's own passes 38 of 39)
    assert passed >= (50 if name == "SKLearnTransformer" else 55), passed
    print(f"{name}: {passed} checks passed, {len(xfailed)} expected failures, "
          f"{len(skipped)} skipped")


def test_expected_failures_have_reasons():
    for name, checks in EXPECTED_FAILED_CHECKS.items():
        for check, reason in checks.items():
            assert check.startswith("check_") and len(reason) > 40, (name, check)


# ---------------------------------------------------------------------- real use
def test_pipeline_grid_search_over_hidden_sizes(cancer):
    x_train, y_train, x_test, y_test = cancer
    pipe = Pipeline([("scale", StandardScaler()),
                     ("clf", SKLearnClassifier(small_classifier, fit_kwargs={"epochs": 8},
                                               random_state=0))])
    grid = GridSearchCV(pipe, {"clf__model_kwargs__hidden": [2, 12]}, cv=3)
    grid.fit(x_train, y_train)
    assert list(grid.cv_results_["param_clf__model_kwargs__hidden"]) == [2, 12]
    best = grid.best_params_["clf__model_kwargs__hidden"]
    fitted = grid.best_estimator_.named_steps["clf"]
    # The grid's value reached the model function: the first layer has that many units.
    assert fitted.model_.layers[0].units == best
    assert fitted.epoch_ == 8
    assert grid.best_score_ > 0.9
    assert grid.score(x_test, y_test) > 0.9


def test_cross_val_score_trains_every_fold_the_epochs_asked(cancer_small):
    x, y = cancer_small
    est = SKLearnClassifier(small_classifier, fit_kwargs={"epochs": 6}, random_state=0)
    scores = cross_val_score(est, x, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.85
    folds = cross_validate(est, x, y, cv=3, return_estimator=True)["estimator"]
    # Keras 3's clone drops fit_kwargs, so its folds train one epoch.
    assert [f.epoch_ for f in folds] == [6, 6, 6]
    assert all(len(f.history_["loss"]) == 6 for f in folds)


def test_clone_keeps_fit_kwargs_and_model_kwargs(cancer_small):
    x, y = cancer_small
    est = SKLearnClassifier(small_classifier, model_kwargs={"hidden": 5},
                            fit_kwargs={"epochs": 4, "batch_size": 50}, random_state=3)
    copy = clone(est)
    assert copy.fit_kwargs == {"epochs": 4, "batch_size": 50}
    assert copy.model_kwargs == {"hidden": 5}
    assert copy.fit_kwargs is not est.fit_kwargs
    copy.fit(x, y)
    assert copy.epoch_ == 4
    assert copy.model_.layers[0].units == 5
    # batch_size 50 on 200 rows: 4 steps an epoch, 16 optimizer steps in all.
    assert int(copy.model_.optimizer.iterations.numpy()) == 16


def test_get_params_and_set_params_reach_the_model_arguments():
    est = SKLearnClassifier(small_classifier, model_kwargs={"hidden": 7},
                            fit_kwargs={"epochs": 3})
    params = est.get_params()
    assert params["model_kwargs__hidden"] == 7
    assert params["model_kwargs__lr"] == 0.02  # a default of the model function
    assert params["fit_kwargs__epochs"] == 3
    assert "model_kwargs__X" not in params and "model_kwargs__y" not in params
    assert set(est.get_params(deep=False)) == {"model", "warm_start", "model_kwargs",
                                               "fit_kwargs", "random_state"}
    original = est.model_kwargs
    assert est.set_params(model_kwargs__lr=0.1, fit_kwargs__batch_size=8) is est
    assert est.model_kwargs == {"hidden": 7, "lr": 0.1}
    assert original == {"hidden": 7}  # set_params makes a new dict
    assert est.fit_kwargs == {"epochs": 3, "batch_size": 8}
    with pytest.raises(ValueError, match="model_kwargs__width"):
        est.set_params(model_kwargs__width=3)
    with pytest.raises(ValueError, match="fit_kwargs__epoch"):
        est.set_params(fit_kwargs__epoch=3)
    fresh = SKLearnRegressor(small_regressor).set_params(fit_kwargs__epochs=2)
    assert fresh.fit_kwargs == {"epochs": 2} and fresh.model_kwargs is None


def test_model_function_gets_only_what_it_takes():
    x, y = blobs(n=30, n_classes=2)
    calls = []

    def no_args():
        calls.append("none")
        return small_classifier(x, np.zeros((1, 2)))

    def only_hidden(hidden):
        calls.append(("hidden", hidden))
        return small_classifier(x, np.zeros((1, 2)), hidden=hidden)

    def x_only(x, hidden=4):
        calls.append(("x", x.shape))
        return small_classifier(x, np.zeros((1, 2)), hidden=hidden)

    def anything(**kwargs):
        calls.append(("kwargs", sorted(kwargs), kwargs["y"].shape))
        return small_classifier(kwargs["X"], kwargs["y"])

    SKLearnClassifier(no_args).fit(x, y)
    SKLearnClassifier(only_hidden, model_kwargs={"hidden": 3}).fit(x, y)
    SKLearnClassifier(x_only).fit(x, y)
    SKLearnClassifier(anything).fit(x, y)
    # Keras 3 passes X= and y= to every callable; a function without them fails there.
    assert calls == ["none", ("hidden", 3), ("x", (30, 4)), ("kwargs", ["X", "y"], (30, 2))]
    with pytest.raises(TypeError, match=r"\['width'\].*only_hidden"):
        SKLearnClassifier(only_hidden, model_kwargs={"hidden": 3, "width": 2}).fit(x, y)


def test_model_instance_is_cloned_not_trained():
    x, y = blobs(n=30, n_classes=2)
    model = small_classifier(x, np.zeros((1, 2)))
    before = [w.copy() for w in model.get_weights()]
    est = SKLearnClassifier(model, fit_kwargs={"epochs": 2}).fit(x, y)
    assert est.model_ is not model
    assert est.model_.optimizer is not model.optimizer
    for w, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, b)
    assert est.predict(x).shape == (30,)
    uncompiled = mk.Sequential([mk.layers.Dense(1, activation="sigmoid")])
    with pytest.raises(RuntimeError, match="compiled"):
        SKLearnClassifier(uncompiled).fit(x, y)


def test_warm_start_continues_training(cancer_small):
    x, y = cancer_small
    warm = SKLearnClassifier(small_classifier, warm_start=True, fit_kwargs={"epochs": 3},
                             random_state=1)
    warm.fit(x, y)
    model = warm.model_
    assert warm.epoch_ == 3
    warm.fit(x, y)
    assert warm.model_ is model and warm.epoch_ == 6
    losses = warm.history_["loss"]
    assert losses[3] < losses[2] < losses[0]  # the second fit starts where the first ended
    # 3 + 3 warm epochs are 6 epochs: the weights, optimizer state and shuffling go on.
    cold = SKLearnClassifier(small_classifier, fit_kwargs={"epochs": 6}, random_state=1)
    cold.fit(x, y)
    assert_close(warm.history_["loss"], cold.history_["loss"], "float32")
    assert_close(warm.predict_proba(x), cold.predict_proba(x), "float32")
    # Without warm_start every fit starts afresh.
    again = SKLearnClassifier(small_classifier, fit_kwargs={"epochs": 3}, random_state=1)
    first = again.fit(x, y).model_
    assert again.fit(x, y).model_ is not first and again.epoch_ == 3
    with pytest.raises(ValueError, match="not seen"):
        warm.fit(x[:10], np.full(10, 7))


def test_pickled_estimator_predicts_and_warm_starts(cancer_small):
    x, y = cancer_small
    est = SKLearnClassifier(small_classifier, warm_start=True, fit_kwargs={"epochs": 2},
                            random_state=2).fit(x, y)
    copy = pickle.loads(pickle.dumps(est))
    assert_close(copy.predict_proba(x), est.predict_proba(x), "float32")
    # The copy's model trains: its flat weight buffer is rebuilt after unpickling.
    est.fit(x, y)
    copy.fit(x, y)
    assert copy.epoch_ == 4
    assert_close(copy.predict_proba(x), est.predict_proba(x), "float32")


def test_random_state_repeats_a_fit_and_leaves_global_generators_alone():
    x, y = blobs(n=60)
    state = np.random.get_state()[1].copy()
    a = SKLearnClassifier(small_classifier, fit_kwargs={"epochs": 2}, random_state=5).fit(x, y)
    b = SKLearnClassifier(small_classifier, fit_kwargs={"epochs": 2}, random_state=5).fit(x, y)
    c = SKLearnClassifier(small_classifier, fit_kwargs={"epochs": 2}, random_state=6).fit(x, y)
    np.testing.assert_array_equal(a.predict_proba(x), b.predict_proba(x))
    assert np.abs(a.predict_proba(x) - c.predict_proba(x)).max() > 1e-3
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    # After a seeded fit, minikeras's global seed still drives unseeded models.
    mk.utils.set_random_seed(11)
    w1 = mk.layers.Dense(3)
    w1.build((None, 2))
    mk.utils.set_random_seed(11)
    SKLearnClassifier(small_classifier, random_state=5).fit(x, y)
    w2 = mk.layers.Dense(3)
    w2.build((None, 2))
    np.testing.assert_array_equal(w1.kernel.numpy(), w2.kernel.numpy())


# ---------------------------------------------------------------------- classifier
def test_binary_sigmoid_probabilities_and_decision_function(cancer_small):
    x, y = cancer_small
    est = SKLearnClassifier(small_classifier, fit_kwargs={"epochs": 5}, random_state=0)
    est.fit(x, y)
    assert est.model_.layers[-1].units == 1
    np.testing.assert_array_equal(est.classes_, [0, 1])
    proba = est.predict_proba(x)
    assert proba.shape == (200, 2)
    p = est.model_.predict(x, verbose=0)[:, 0]
    assert_close(proba[:, 1], p, "float32")
    assert_close(proba.sum(axis=1), np.ones(200), "internal64")
    dec = est.decision_function(x)
    assert dec.shape == (200,)
    assert_close(dec, np.log(p) - np.log1p(-p.astype(np.float64)), "float32")
    np.testing.assert_array_equal(est.predict(x), est.classes_[(dec > 0).astype(int)])
    assert est.score(x, y) > 0.9
    assert est.n_features_in_ == 30


def test_multiclass_string_labels_round_trip():
    x, yi = blobs(n=90)
    names = np.array(["cat", "dog", "fish"])
    y = names[yi]
    est = SKLearnClassifier(small_classifier, fit_kwargs={"epochs": 30}, random_state=0)
    est.fit(x, y)
    np.testing.assert_array_equal(est.classes_, names)
    pred = est.predict(x)
    assert pred.dtype.kind == "U" and set(pred) <= set(names)
    assert est.score(x, y) > 0.9
    proba = est.predict_proba(x)
    assert_close(proba, est.model_.predict(x, verbose=0), "float32")
    np.testing.assert_array_equal(pred, names[proba.argmax(axis=1)])
    raw = est.decision_function(x)
    assert raw.shape == (90, 3)
    np.testing.assert_array_equal(pred, names[raw.argmax(axis=1)])


def test_binary_string_labels_and_integer_labels_not_from_zero():
    x, yi = blobs(n=60, n_classes=2)
    for labels in (np.array(["no", "yes"]), np.array([3, 9])):
        y = labels[yi]
        est = SKLearnClassifier(small_classifier, fit_kwargs={"epochs": 20}, random_state=0)
        est.fit(x, y)
        np.testing.assert_array_equal(est.classes_, labels)
        pred = est.predict(x)
        assert pred.dtype == labels.dtype and set(pred) == set(labels)
        assert (pred == y).mean() > 0.9


def test_sparse_categorical_loss_trains_on_integer_targets():
    x, y = blobs(n=90)
    est = SKLearnClassifier(sparse_softmax, fit_kwargs={"epochs": 30}, random_state=0)
    est.fit(x, y + 10)
    assert est._target_mode == "sparse"
    assert est.score(x, y + 10) > 0.9


def test_two_unit_softmax_binary_model_as_keras_writes_it():
    x, y = blobs(n=60, n_classes=2)

    def keras_style(X, y):  # Keras 3's example: units from the one-hot y
        model = mk.Sequential([mk.Input((X.shape[1],)), mk.layers.Dense(8, activation="relu"),
                               mk.layers.Dense(y.shape[1], activation="softmax")])
        model.compile(optimizer=mk.optimizers.Adam(0.02), loss="categorical_crossentropy")
        return model

    est = SKLearnClassifier(keras_style, fit_kwargs={"epochs": 20}, random_state=0).fit(x, y)
    assert est.model_.layers[-1].units == 2
    proba = est.predict_proba(x)
    dec = est.decision_function(x)
    assert_close(dec, np.log(proba[:, 1]) - np.log(proba[:, 0]), "internal64")
    assert est.score(x, y) > 0.9


def test_output_units_must_match_the_classes():
    x, y = blobs(n=30)

    def one_unit():
        model = mk.Sequential([mk.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        return model

    with pytest.raises(ValueError, match="1 output units but y has 3 classes"):
        SKLearnClassifier(one_unit).fit(x, y)


def test_logits_are_turned_into_probabilities():
    x, y = blobs(n=60)

    def logits(X, y):
        model = mk.Sequential([mk.Input((X.shape[1],)), mk.layers.Dense(3)])
        model.compile(optimizer=mk.optimizers.Adam(0.05),
                      loss=mk.losses.SparseCategoricalCrossentropy(from_logits=True))
        return model

    est = SKLearnClassifier(logits, fit_kwargs={"epochs": 10}, random_state=0).fit(x, y)
    z = est.model_.predict(x, verbose=0).astype(np.float64)
    expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert_close(est.predict_proba(x), expected, "internal64")


def test_dataframe_input_sets_feature_names():
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    x, y = blobs(n=60, n_classes=2)
    frame = pd.DataFrame(x, columns=["a", "b", "c", "d"])
    est = SKLearnClassifier(small_classifier, fit_kwargs={"epochs": 10}, random_state=0)
    est.fit(frame, pd.Series(np.where(y == 1, "pos", "neg")))
    np.testing.assert_array_equal(est.feature_names_in_, ["a", "b", "c", "d"])
    assert est.n_features_in_ == 4
    pred = est.predict(frame)
    assert set(pred) <= {"neg", "pos"}
    with pytest.warns(UserWarning, match="feature names"):
        np.testing.assert_array_equal(est.predict(x), pred)
    with pytest.raises(ValueError, match="feature names"):
        est.predict(frame[["b", "a", "c", "d"]])


def test_sample_weight_zero_is_removal_and_weights_move_the_fit():
    x, y = blobs(n=60, n_classes=2, seed=3)
    keep = np.arange(60) % 4 != 0
    sw = keep.astype(float)
    kwargs = {"fit_kwargs": {"epochs": 5}, "random_state": 4}
    weighted = SKLearnClassifier(small_classifier, **kwargs).fit(x, y, sample_weight=sw)
    removed = SKLearnClassifier(small_classifier, **kwargs).fit(x[keep], y[keep])
    np.testing.assert_array_equal(weighted.predict_proba(x), removed.predict_proba(x))
    # On noisy labels, weighting class 1 ten times raises its probabilities well above
    # an unweighted fit's.
    rng = np.random.default_rng(0)
    xn = rng.normal(size=(80, 3))
    yn = (xn[:, 0] + 1.5 * rng.normal(size=80) > 0).astype(int)
    plain = SKLearnClassifier(small_classifier, **kwargs).fit(xn, yn)
    heavy = SKLearnClassifier(small_classifier, **kwargs).fit(
        xn, yn, sample_weight=np.where(yn == 1, 10.0, 1.0))
    assert heavy.predict_proba(xn)[:, 1].mean() > plain.predict_proba(xn)[:, 1].mean() + 0.1
    with pytest.raises(ValueError, match="only one class"):
        SKLearnClassifier(small_classifier).fit(x, y, sample_weight=(y == 1).astype(float))


def test_class_weight_by_label_and_validation_data_are_encoded():
    x, yi = blobs(n=60, n_classes=2)
    y = np.array(["neg", "pos"])[yi]
    est = SKLearnClassifier(small_classifier, random_state=0,
                            fit_kwargs={"epochs": 3, "class_weight": {"neg": 1.0, "pos": 3.0},
                                        "validation_data": (x[:20], y[:20])})
    est.fit(x, y)
    assert len(est.history_["val_loss"]) == 3
    with pytest.raises(ValueError, match="class_weight"):
        est.fit(x, y, class_weight={"maybe": 2.0})


def test_unfitted_and_bad_arguments():
    x, y = blobs(n=20, n_classes=2)
    with pytest.raises(NotFittedError):
        SKLearnClassifier(small_classifier).predict_proba(x)
    with pytest.raises(TypeError, match="`model` must be"):
        SKLearnClassifier(3).fit(x, y)
    with pytest.raises(TypeError, match="fit_kwargs"):
        SKLearnClassifier(small_classifier, fit_kwargs=[("epochs", 2)]).fit(x, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        SKLearnClassifier(small_classifier).fit(x, x[:, 0])
    with pytest.raises(TypeError, match="sample_weight"):
        SKLearnClassifier(small_classifier, fit_kwargs={"sample_weight": np.ones(20)}).fit(x, y)
    # A failed fit leaves a fitted estimator as it was.
    est = SKLearnClassifier(small_classifier, random_state=0).fit(x, y)
    model, proba = est.model_, est.predict_proba(x)
    x3, y3 = blobs(n=30, n_features=5)
    with pytest.raises(TypeError, match="epoch"):
        est.fit(x3, y3, epoch=3)
    assert est.model_ is model and est.n_features_in_ == 4
    np.testing.assert_array_equal(est.classes_, [0, 1])
    np.testing.assert_array_equal(est.predict_proba(x), proba)


# ---------------------------------------------------------------------- regressor
def test_regressor_1d_and_2d_targets_and_r2():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 3))
    y = x @ np.array([1.5, -2.0, 0.5]) + 0.1 * rng.normal(size=120)
    est = SKLearnRegressor(small_regressor, fit_kwargs={"epochs": 40}, random_state=0)
    est.fit(x, y)
    pred = est.predict(x)
    assert pred.shape == (120,) and pred.dtype == np.float64
    r2 = est.score(x, y)
    assert r2 > 0.9
    assert_close(r2, 1 - ((y - pred) ** 2).sum() / ((y - y.mean()) ** 2).sum(), "internal64")
    y2 = np.column_stack([y, -y])
    est2 = SKLearnRegressor(small_regressor, fit_kwargs={"epochs": 40}, random_state=0)
    assert est2.fit(x, y2).predict(x).shape == (120, 2)
    assert est2.model_.layers[-1].units == 2
    assert est2.score(x, y2) > 0.9
    column = SKLearnRegressor(small_regressor, fit_kwargs={"epochs": 1}).fit(x, y[:, None])
    assert column.predict(x).shape == (120, 1)


def test_regressor_in_cross_val_score_with_diabetes():
    (x, y), _ = mk.datasets.diabetes.load_data()
    pipe = Pipeline([("scale", StandardScaler()),
                     ("reg", SKLearnRegressor(small_regressor, random_state=0,
                                              fit_kwargs={"epochs": 30, "batch_size": 16}))])
    # y in the hundreds: a 16-unit net from Adam(0.02) gets a positive R^2 within 30 epochs.
    scores = cross_val_score(pipe, x, (y - y.mean()) / y.std(), cv=3)
    assert scores.min() > 0.2, scores


# ---------------------------------------------------------------------- Keras 3's habits
def test_transformer_trains_on_y_and_transforms_in_a_pipeline():
    """Keras 3's SKLearnTransformer: fit(X, y) trains the model, transform is its output."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    x, y = blobs(n=150)

    def encoder(X, y):
        model = mk.Sequential([mk.Input((X.shape[1],)), mk.layers.Dense(8, activation="relu"),
                               mk.layers.Dense(y.shape[1])])
        model.compile(optimizer=mk.optimizers.Adam(0.02), loss="mse")
        return model

    trs = SKLearnTransformer(encoder, fit_kwargs={"epochs": 30}, random_state=0)
    out = trs.fit(x, np.eye(3)[y]).transform(x)
    assert out.shape == (150, 3) and out.dtype == np.float32
    np.testing.assert_array_equal(out, trs.model_.predict(x, verbose=0))
    np.testing.assert_array_equal(trs.fit_transform(x, np.eye(3)[y]), out)  # same seed
    pipe = make_pipeline(StandardScaler(), SKLearnTransformer(
        encoder, fit_kwargs={"epochs": 30}, random_state=0), LogisticRegression())
    assert pipe.fit(x, np.eye(3)[y].argmax(1)).score(x, y) > 0.8
    assert trs.__sklearn_tags__().transformer_tags.preserves_dtype == []


def test_history_is_keras_history_that_also_reads_as_a_dict():
    x, y = blobs()
    est = SKLearnClassifier(small_classifier, fit_kwargs={"epochs": 3}, random_state=0,
                            warm_start=True)
    est.fit(x, y)
    assert isinstance(est.history_, mk.callbacks.History)
    assert len(est.history_.history["loss"]) == 3 and est.history_.epoch == [0, 1, 2]
    assert est.history_["loss"] == est.history_.history["loss"] and "loss" in est.history_
    est.fit(x, y)  # warm: the second fit's epochs are added
    assert len(est.history_["loss"]) == 6 == est.epoch_
    assert est.history_.epoch == [0, 1, 2, 0, 1, 2]


def test_class_weight_by_class_index_for_labels_that_are_not_integers():
    """dict(enumerate(compute_class_weight(...))), as Keras keys it; by label too."""
    from sklearn.utils.class_weight import compute_class_weight

    x, y_int = blobs(n=120, n_classes=2)
    y = np.where(y_int == 1, "yes", "no")
    w = compute_class_weight("balanced", classes=np.unique(y), y=y)
    fits = []
    for cw in (dict(enumerate(w)), {"no": w[0], "yes": w[1]}, {0: 1.0, 1: 5.0}):
        est = SKLearnClassifier(small_classifier, fit_kwargs={"epochs": 2, "class_weight": cw},
                                random_state=0).fit(x, y)
        fits.append(est.history_["loss"])
    assert fits[0] == fits[1]
    assert fits[2] != fits[0]  # the weights are used
    with pytest.raises(ValueError, match="class_weight has labels"):
        SKLearnClassifier(small_classifier, fit_kwargs={"class_weight": {2: 1.0}}).fit(x, y)
    est = SKLearnClassifier(small_classifier, fit_kwargs={"epochs": 1, "class_weight": {0: 2.0}})
    with pytest.raises(ValueError, match="class_weight has labels"):
        est.fit(x, y_int + 1)  # integer labels: a key is a label, 0 is not one


def test_keras_tags_poor_score():
    assert SKLearnClassifier(small_classifier).__sklearn_tags__().classifier_tags.poor_score
    assert SKLearnRegressor(small_regressor).__sklearn_tags__().regressor_tags.poor_score

