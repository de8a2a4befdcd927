"""The data-parallel variants of the training and test steps, and log reduction.

Mixed into :class:`~minikeras.models.model.Model`; used only while a
``DataParallel`` distribution spans several processes (see
:mod:`minikeras.distribution`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import distribution
from .._fused import fused_value_and_grad
from .inputs import _like


class ParallelSteps:
    """One Allreduce per training step; per-batch reductions where a loss needs them."""

    def _reduced_logs(self, dp: Any) -> dict[str, float]:
        metrics = [m for m, _ in self._metrics or []]
        if self._tracker_is_local:
            metrics = [self._loss_tracker, *metrics]
        states = [a for m in metrics for a in m.state_arrays()]
        reduced = dp.reduce_states(states)
        saved = [a.copy() for a in states]
        for a, r in zip(states, reduced):
            a[...] = r
        try:
            return self._logs(reduce=False)
        finally:
            for a, s in zip(states, saved):
                a[...] = s

    def _train_step_parallel(self, dp: Any, x: np.ndarray, y: Any, sw: Any) -> None:
        """The same step on this rank's rows, with one Allreduce before the update.

        The loss gradient is scaled to a *sum* over local rows, the flat gradient
        buffer is summed over ranks and divided by the global rows (or weight),
        so every rank holds the one-process gradient and takes the same step.
        """
        runs, regularized, any_trainable = self._train_ready
        n = x.shape[0]
        flat = self._flat
        scale, weight = dp.output_scale(self._loss, n, sw)
        scale *= self._loss_weight  # weighs the loss sum; the divisor stays the rows/weight
        # A rank without rows (an uneven last batch) still runs the empty passes:
        # batch-norm layers reduce their statistics across ranks inside them.
        y_pred = self._forward(x, training=True)
        if self._call_layers:
            self._refuse_added_losses()
        if n:
            if self._fused is not None:
                loss, grad = fused_value_and_grad(self._loss, self._fused, y, y_pred, sw)
            else:
                loss, grad = self._loss.value_and_grad(y, y_pred, sw)
            grad = _like(grad, y_pred)
            grad *= scale
            loss_sum = loss * scale + self._activity_penalty
        else:
            grad = np.zeros_like(y_pred)
            loss_sum = 0.0
        self._backward(grad, from_z=self._fused is not None)
        if self._loss.reduction == "sum":
            weight = 0.0
        # ZeRO-1 unless the step must read whole weights or gradients (norm clipping,
        # constraints): then every rank reduces and updates everything.
        sharded = dp.shares_weights(self) or (
            dp.shard_optimizer and not self.optimizer.needs_full_gradients)
        self._sharded_step = sharded
        total, rows, weight = dp.finish_gradients(self, loss_sum, n, weight, sharded)
        loss = total if self._loss.reduction == "sum" else total / max(weight, 1e-300)
        if regularized:
            # With one shared copy of the weights, penalties read every weight and add to
            # every gradient: wait until the others are done reading this rank's
            # gradients, and until all have read the weights before any slice steps.
            dp.shared_barrier(self)
            loss += self._regularization(regularized, add_grads=True)
            dp.shared_barrier(self)
        if any_trainable:
            if sharded:
                lo, hi = dp.step_slice(flat.size)
                self.optimizer.apply_flat(flat.values, flat.grads, _clip_runs(runs, lo, hi,
                                                                              flat.size))
                dp.gather_weights(self)
            else:
                self.optimizer.apply_flat(flat.values, flat.grads, runs)
        self._loss_tracker.add(loss * rows, rows)
        if n:
            self._update_metrics(y, y_pred, sw)
        else:
            self._build_metric_states(y, y_pred)

    def _build_metric_states(self, y: Any, y_pred: np.ndarray) -> None:
        """A rank without rows: metrics whose state is made from their first batch
        (F1Score, R2Score, AUC(multi_label)) make it from these empty arrays, so that
        every rank's states have the same shapes when they are summed."""
        if y is None:
            return
        if self._metrics is None:
            self._resolve_metrics(y, y_pred.shape)
        for metric, _ in self._metrics:
            metric._build_state(np.asarray(y), y_pred)

    def _test_step_parallel(self, dp: Any, x: np.ndarray, y: Any, sw: Any) -> None:
        """Evaluation where a batch's loss needs the whole global batch (sum, weighted mean).

        One small Allreduce per batch of [loss sum, rows, weight, activity sum].
        """
        n = x.shape[0]
        buf = np.zeros(4)
        y_pred = None
        if n:
            y_pred = self._forward(x, training=False)
            scale, weight = dp.output_scale(self._loss, n, sw)
            buf[:] = (self._batch_loss(y, y_pred, sw) * scale, n,
                      0.0 if self._loss.reduction == "sum" else weight,
                      self._activity_penalty * n)
        dp.allreduce(buf)
        total, rows, weight, activity = buf
        if not n:
            self._build_metric_states(y, self._forward(x, training=False))
        if rows == 0:
            return
        loss = total if self._loss.reduction == "sum" else total / max(weight, 1e-300)
        loss += activity / rows + self._penalties()
        self._loss_tracker.add(loss * rows, rows)
        self._tracker_is_local = False
        if n:
            self._update_metrics(y, y_pred, sw)

    def _set_parallel_hooks(self, dp: Any) -> None:
        """Batch-norm statistics and activity penalties span ranks under data parallelism."""
        for layer in self._all_layers():
            if hasattr(layer, "_stat_reducer"):
                layer._stat_reducer = None if dp is None else distribution.BatchNormReducer(dp)
        self._act_divisor = None if dp is None else 1.0


def _clip_runs(runs: list[tuple[int, int]] | None, lo: int, hi: int,
               total: int) -> list[tuple[int, int]]:
    """The parts of ``runs`` (None: everything) inside ``[lo, hi)``."""
    out = []
    for a, b in runs if runs is not None else [(0, total)]:
        a, b = max(a, lo), min(b, hi)
        if a < b:
            out.append((a, b))
    return out
