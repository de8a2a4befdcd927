"""Custom callbacks that read logs, stop training and set the learning rate.

In the style of keras.io's "Writing your own callbacks": a logging callback, an
early-stopping-at-minimum-loss callback and a table-driven learning-rate scheduler that
reads `self.model.optimizer.learning_rate` and assigns a new value.
"""

import numpy as np

import minikeras as keras

keras.utils.set_random_seed(2)
rng = np.random.default_rng(0)
x_train = rng.normal(size=(256, 5)).astype("float32")
y_train = x_train @ np.array([1.0, -2.0, 0.5, 0.0, 3.0], dtype="float32") + 0.1
x_test = rng.normal(size=(64, 5)).astype("float32")
y_test = x_test @ np.array([1.0, -2.0, 0.5, 0.0, 3.0], dtype="float32") + 0.1


def get_model():
    model = keras.Sequential()
    model.add(keras.layers.Dense(1))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1),
                  loss="mean_squared_error", metrics=["mean_absolute_error"])
    return model


class LossAndErrorPrintingCallback(keras.callbacks.Callback):
    def on_train_begin(self, logs={}):  # noqa: B006 - a common habit
        self.events = ["train_begin"]
        self.batch_losses = []

    def on_train_batch_end(self, batch, logs=None):
        self.batch_losses.append(logs["loss"])

    def on_test_batch_end(self, batch, logs=None):
        self.events.append(f"test_batch_{batch}")

    def on_epoch_end(self, epoch, logs=None):
        print("The average loss for epoch {} is {:7.2f} and mean absolute error is {:7.2f}."
              .format(epoch, logs["loss"], logs["mean_absolute_error"]))
        self.events.append(f"epoch_end_{epoch}:" + ",".join(sorted(logs)))


class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
    """Stop training when the loss is at its min, i.e. the loss stops decreasing."""

    def __init__(self, patience=0):
        super().__init__()
        self.patience = patience
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = logs.get("loss")
        if np.less(current, self.best):
            self.best = current
            self.wait = 0
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                print("Restoring model weights from the end of the best epoch.")
                self.model.set_weights(self.best_weights)


class CustomLearningRateScheduler(keras.callbacks.Callback):
    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule
        self.seen = []

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self.model.optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        lr = float(self.model.optimizer.learning_rate)
        scheduled_lr = self.schedule(epoch, lr)
        self.model.optimizer.learning_rate = scheduled_lr
        self.seen.append(float(np.array(self.model.optimizer.learning_rate)))
        print(f"\nEpoch {epoch}: Learning rate is {self.seen[-1]:.4f}.")


# The last entry is far too large for SGD here: the loss climbs and the stopper acts.
LR_SCHEDULE = [(3, 0.05), (6, 0.02), (8, 1.5)]


def lr_schedule(epoch, lr):
    if epoch < LR_SCHEDULE[0][0] or epoch > LR_SCHEDULE[-1][0]:
        return lr
    for i in range(len(LR_SCHEDULE)):
        if epoch == LR_SCHEDULE[i][0]:
            return LR_SCHEDULE[i][1]
    return lr


printer = LossAndErrorPrintingCallback()
model = get_model()
model.fit(x_train, y_train, batch_size=64, epochs=2, verbose=0,
          validation_data=(x_test, y_test), callbacks=[printer])
res = model.evaluate(x_test, y_test, batch_size=32, verbose=0, callbacks=[printer])
assert printer.events[0] == "train_begin"
assert len(printer.batch_losses) == 2 * 4
assert printer.events.count("epoch_end_0:loss,mean_absolute_error,val_loss,"
                            "val_mean_absolute_error") == 1
assert printer.events[-2:] == ["test_batch_0", "test_batch_1"], printer.events

stopper = EarlyStoppingAtMinLoss(patience=2)
scheduler = CustomLearningRateScheduler(lr_schedule)
model = get_model()
history = model.fit(x_train, y_train, batch_size=64, epochs=15, verbose=0,
                    callbacks=[scheduler, stopper])
print(history.history["loss"])
np.testing.assert_allclose(scheduler.seen, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.02, 0.02, 1.5,
                                           1.5], rtol=1e-6)
np.testing.assert_allclose(float(model.optimizer.learning_rate), 1.5, rtol=1e-6)
# The loss rose at epochs 8 and 9: the stopper ended training after epoch 9 (0-based)
# and put back the weights of epoch 7.
assert stopper.stopped_epoch == 9 and history.epoch == list(range(10)), history.epoch
assert np.argmin(history.history["loss"]) == 7
assert model.evaluate(x_train, y_train, verbose=0)[0] < 0.1
