"""Data-parallel training (``mk.distribution``): Keras 3's names over MPI.

Under ``mpiexec -n N python train.py`` with ``set_distribution(DataParallel())``,
each process (rank) trains on its contiguous share of every *global* batch
(``batch_size`` stays the global batch, as in Keras). After the backward pass,
one ``Allreduce`` of the model's own flat gradient buffer (in place, with two
or three scalars riding at its end: the loss sum, the row count, the weight
sum) sums the shards, and every rank takes the same optimizer step, so the
weights stay identical without ever being sent again. Batch-norm statistics
are reduced inside the layer; metric states are summed when logs are read.

With ``DataParallel(shard_optimizer=True)`` each rank instead updates only its
slice of the flat buffer (reduce-scatter the gradients, step on the slice,
all-gather the weights: ZeRO stage 1), halving the optimizer's work and slot
memory per rank at N = 2.

When all ranks run on one machine, ``fit`` does the same exchanges through an
MPI-3 shared-memory window instead of messages (:class:`_NodeBuffers`): the
gradient buffers live in the window and each rank sums its slice of all of
them; sharded, the ranks step slices of one shared copy of the weights, so
nothing is gathered. ``shared_memory=False`` keeps MPI's collectives.

Until a distribution is set, minikeras runs in one process and never imports
mpi4py. Generators cannot be sharded from outside: each rank's generator
yields that rank's batches. Arrays, ``np.memmap`` and ``PyDataset`` inputs are
sharded by minikeras, and each rank reads only its rows.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from typing import Any

import numpy as np

_distribution: Any = None


def set_distribution(value: Any) -> None:
    """Make ``value`` (a :class:`DataParallel`, or None) the global distribution."""
    global _distribution
    if value is not None and not isinstance(value, DataParallel):
        raise ValueError("minikeras supports DataParallel distributions only. "
                         f"Received: {type(value).__name__}")
    _distribution = value


def distribution() -> Any:
    """The global distribution, or None."""
    return _distribution


def active() -> DataParallel | None:
    """The distribution when it spans more than one process, else None."""
    d = _distribution
    return d if d is not None and d.size > 1 else None


def current_shard() -> tuple[int, int] | None:
    """``(rank, size)`` when a data-parallel distribution with several ranks is set."""
    d = active()
    return None if d is None else (d.rank, d.size)


def is_chief() -> bool:
    """True on the process that prints and writes files (rank 0, or no distribution)."""
    d = _distribution
    return d is None or d.rank == 0


def initialize(job_addresses: Any = None, num_processes: Any = None,
               process_id: Any = None) -> None:
    """Accepted for Keras multi-process code: MPI's launcher already set everything up."""


def list_devices(device_type: str | None = None) -> list[str]:
    """Keras's ``list_devices``: one CPU per process here."""
    return ["cpu:0"]


class DataParallel:
    """Data parallelism across the processes of an MPI job.

    Args:
        devices: accepted for Keras compatibility (one device per process).
        shard_optimizer: update only this rank's slice of the weights and keep
            only that slice's optimizer slots (ZeRO stage 1).
        comm: an mpi4py communicator; ``MPI.COMM_WORLD`` by default.
        shared_memory: when every rank runs on one machine, let ``fit`` keep the
            gradient buffers (and, sharded, the weights) in an MPI-3 shared-memory
            window and sum them there (False: MPI's Allreduce, as across nodes).
    """

    def __init__(self, devices: Any = None, shard_optimizer: bool = False,
                 comm: Any = None, shared_memory: bool = True, **kwargs: Any) -> None:
        kwargs.pop("device_mesh", None)
        kwargs.pop("auto_shard_dataset", None)
        if kwargs:
            raise TypeError(f"DataParallel got unexpected argument(s): {sorted(kwargs)}")
        try:
            from mpi4py import MPI
        except ImportError as err:  # pragma: no cover - depends on the install
            raise ImportError("DataParallel needs mpi4py: pip install 'minikeras[mpi]' "
                              "(mpi4py and the mpich wheel).") from err
        self.MPI = MPI
        self.comm = comm if comm is not None else MPI.COMM_WORLD
        self.rank = self.comm.Get_rank()
        self.size = self.comm.Get_size()
        self.shard_optimizer = bool(shard_optimizer)
        self.devices = devices
        self._shared: _NodeBuffers | None = None
        self._node_local = False
        if self.size > 1 and shared_memory:
            # Every rank on this node: sum through shared memory instead of messages.
            node = self.comm.Split_type(MPI.COMM_TYPE_SHARED)
            self._node_local = node.Get_size() == self.size
            node.Free()
        if self.size > 1:
            self._install_abort_hook()
            self._sync_seed()
            self._announce()

    # -- process management ----------------------------------------------------------
    def _install_abort_hook(self) -> None:
        """An exception on one rank ends the whole job instead of hanging the others."""
        previous = sys.excepthook
        comm, rank, MPI = self.comm, self.rank, self.MPI  # noqa: N806 - mpi4py's name

        def hook(kind, value, tb):
            text = (f"minikeras: rank {rank} failed; aborting the MPI job.\n"
                    + "".join(traceback.format_exception(kind, value, tb)))
            # One raw write, then a moment for the launcher to forward it:
            # Abort tears the job down at once.
            os.write(2, text.encode(errors="replace"))
            # An MPI error here usually means a peer died: wait longer, so that the
            # launcher reports that rank (the one killed) before this one's Abort.
            time.sleep(1.0 if isinstance(value, MPI.Exception) else 0.2)
            try:
                comm.Abort(1)
            finally:  # pragma: no cover - Abort does not return
                previous(kind, value, tb)

        sys.excepthook = hook

    def _announce(self) -> None:
        """One line mapping ranks to PIDs: MPICH's launcher names a dead process by PID."""
        pids = self.comm.gather(os.getpid(), root=0)
        if self.rank == 0:
            table = " ".join(f"{r}:{pid}" for r, pid in enumerate(pids))
            os.write(2, f"minikeras: data-parallel job of {self.size} ranks "
                        f"(rank:pid {table})\n".encode())

    def _sync_seed(self) -> None:
        """Every rank must shuffle alike: without a user seed, rank 0's entropy is shared."""
        from . import config

        seed = config.global_seed()
        entropy = self.comm.bcast(np.random.SeedSequence().entropy if seed is None else None,
                                  root=0)
        if seed is None:
            config._seed_sequence = np.random.SeedSequence(entropy)

    def shard(self) -> tuple[int, int] | None:
        return (self.rank, self.size) if self.size > 1 else None

    def barrier(self) -> None:
        self.comm.Barrier()

    # -- collectives ------------------------------------------------------------------
    def allreduce(self, buf: np.ndarray) -> np.ndarray:
        """Sum ``buf`` over all ranks, in place."""
        self.comm.Allreduce(self.MPI.IN_PLACE, buf, op=self.MPI.SUM)
        return buf

    def broadcast(self, buf: np.ndarray, root: int = 0) -> np.ndarray:
        self.comm.Bcast(buf, root=root)
        return buf

    def reduce_states(self, arrays: list[np.ndarray]) -> list[np.ndarray]:
        """Summed copies of small state arrays (metrics), in one Allreduce."""
        if not arrays:
            return []
        flat = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])
        self.allreduce(flat)
        out, i = [], 0
        for a in arrays:
            out.append(flat[i:i + a.size].reshape(a.shape))
            i += a.size
        return out

    def broadcast_model(self, model: Any) -> None:
        """Rank 0's weights (trainable buffer and every other weight) to all ranks."""
        flat = model._flat
        if flat is not None and flat.size:
            self.broadcast(flat.values)
        for layer in model._leaf_layers():
            for v in layer._variables:
                if not v._created_trainable:  # the rest is in the flat buffer
                    self.broadcast(v.value)

    # -- the training step ------------------------------------------------------------
    def output_scale(self, loss: Any, n_local: int, sample_weight: Any) -> tuple[float, float]:
        """Factor that turns the local loss gradient into a *sum*, and its weight.

        Returns ``(scale, weight)``: the loss gradient is multiplied by ``scale``
        before backward; ``weight`` rides in the Allreduce, and the summed
        gradient is divided by the global weight afterwards.
        """
        reduction = loss.reduction
        if reduction == "sum":
            return 1.0, 1.0
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            w = float(np.sum(sample_weight))
            return w, w
        return float(n_local), float(n_local)

    def finish_gradients(self, model: Any, loss_sum: float, n_local: int, weight: float,
                         sharded: bool = False) -> tuple[float, float, float]:
        """One Allreduce of gradients + [loss sum, rows, weight]; returns their global sums.

        ``sharded``: reduce-scatter instead, so this rank holds only its slice's sum.
        """
        flat = model._flat
        tail = flat.tail
        tail[0], tail[1], tail[2] = loss_sum, n_local, weight
        shared = self._shared if self._shared is not None and self._shared.flat is flat else None
        if shared is not None:
            tail = shared.reduce(sharded)
        elif sharded and flat.size:
            self._reduce_scatter(model)
        else:
            self.allreduce(flat.grads_all)
        total_loss, rows, total_weight = (float(tail[0]), float(tail[1]), float(tail[2]))
        if total_weight and total_weight != 1.0:
            if sharded:  # only this rank's slice is read
                lo, hi = self.step_slice(flat.size)
                flat.grads[lo:hi] *= 1.0 / total_weight
            else:
                flat.grads *= 1.0 / total_weight
        return total_loss, rows, total_weight

    def _reduce_scatter(self, model: Any) -> None:
        # The tail must be summed everywhere: reduce it alongside, then scatter the rest.
        flat = model._flat
        self.allreduce(flat.tail)
        lo, hi = self.slice_of(flat.size)
        counts = self._counts(flat.size)
        recv = np.empty(hi - lo, dtype=flat.grads.dtype)
        self.comm.Reduce_scatter(flat.grads, recv, recvcounts=counts, op=self.MPI.SUM)
        flat.grads[lo:hi] = recv

    def _counts(self, total: int) -> list[int]:
        bounds = [(total * r) // self.size for r in range(self.size + 1)]
        return [bounds[r + 1] - bounds[r] for r in range(self.size)]

    def slice_of(self, total: int) -> tuple[int, int]:
        """This rank's ``[lo, hi)`` share of a flat buffer of ``total`` elements."""
        return (total * self.rank) // self.size, (total * (self.rank + 1)) // self.size

    def step_slice(self, total: int) -> tuple[int, int]:
        """The slice this rank steps in the current sharded step: :meth:`slice_of`,
        or the balanced share while the ranks share weights and optimizer slots."""
        shared = self._shared
        if shared is not None and shared.balance and shared.flat.size == total:
            return shared.bounds[self.rank], shared.bounds[self.rank + 1]
        return self.slice_of(total)

    def gather_weights(self, model: Any) -> None:
        """After a sharded step, every rank takes every slice of the new weights."""
        if self.shares_weights(model):
            self._shared.end_step()  # one copy of the weights: a barrier, and all is stepped
        else:
            self._allgather_slices(model._flat.values)

    # -- shared memory for the length of a fit ----------------------------------------
    def shares_weights(self, model: Any) -> bool:
        """True while the ranks step slices of one shared copy of ``model``'s weights."""
        shared = self._shared
        return shared is not None and shared.flat is model._flat and shared.shared_values

    def shared_barrier(self, model: Any) -> None:
        """A barrier, while the ranks share ``model``'s weights (else nothing)."""
        if self.shares_weights(model):
            self._shared.sync()

    def attach(self, model: Any, sharded: bool) -> None:
        """Move ``model``'s flat buffers into shared memory (all ranks on one node only).

        ``sharded``: the optimizer steps slices, so the ranks can share one copy of the
        weights (each writes only its slice, between two barriers).
        """
        flat = model._flat
        if not self._node_local or self._shared is not None or flat is None or not flat.size:
            return
        self._shared = _NodeBuffers(self, flat, sharded, model.optimizer if sharded else None)

    def detach(self, failed: bool = False) -> None:
        """Back to private buffers, with the weights as trained (every rank calls it).

        ``failed``: this rank is leaving ``fit`` on an exception, while the others
        may be waiting inside a step: take the weights back without any collective
        (which could hang), and leave the windows to the job's abort.
        """
        shared, self._shared = self._shared, None
        if shared is not None:
            shared.release(collective=not failed)

    def gather_slots(self, optimizer: Any) -> None:
        """Every slice of every optimizer slot on every rank (before saving its state)."""
        if self._shared is not None and self._shared.optimizer is optimizer:
            return  # one shared copy of the slots: every rank reads all of it already
        for arr in optimizer._slots.values():
            self._allgather_slices(arr)

    def _allgather_slices(self, buf: np.ndarray) -> None:
        counts = self._counts(buf.size)
        displs = [sum(counts[:r]) for r in range(self.size)]
        mpi_type = self.MPI._typedict[buf.dtype.char]
        self.comm.Allgatherv(self.MPI.IN_PLACE, [buf, counts, displs, mpi_type])

    def __repr__(self) -> str:
        return f"<DataParallel rank={self.rank} size={self.size}>"


class _NodeBuffers:
    """Gradient buffers (and, sharded, the weights) in an MPI-3 shared-memory window.

    MPICH's Allreduce of a 919 KiB buffer between two processes of one machine
    copies it through shared memory twice each way: about 280 us per step. With
    every rank's gradient buffer *in* a shared window, a step is a barrier, each
    rank summing its slice of all the buffers (and writing the sum back into each
    buffer, so every rank holds the whole sum), and a barrier: about 70 us
    (``benchmarks/distributed.py``). Sharded (ZeRO-1), the weights and the
    optimizer's slots too are one shared copy: each rank steps its slice in place
    and a barrier replaces the all-gather. The MPI standard's pattern for shared
    windows orders the memory accesses: a passive-target epoch for the whole fit,
    ``Win.Sync`` around each barrier.

    Sharded, the slices are *balanced*: cores of one machine do not run equally
    fast (on the 2-vCPU VM of the benchmarks one is up to 25% slower, for hours),
    and the rank with the faster core would wait at the barrier after the step.
    Each rank posts its time per element of its slice (sum and optimizer step,
    smoothed over its steps); every ``BALANCE_EVERY`` steps, after the gradient
    barrier, every rank computes the same new bounds from the same posted numbers
    (:func:`balanced_bounds`), so the faster rank steps a larger slice. The
    results do not depend on the bounds: the step is elementwise, and every
    element's gradients are summed in rank order whoever sums them.
    """

    #: Fewer weights than this: a slice's step takes microseconds, nothing to balance.
    BALANCE_MIN = 65_536
    #: Steps between new bounds (each rank smooths its own rate at every step).
    BALANCE_EVERY = 8

    def __init__(self, dp: DataParallel, flat: Any, sharded: bool,
                 optimizer: Any = None) -> None:
        MPI = dp.MPI
        self.dp, self.flat, self.shared_values = dp, flat, sharded
        dtype, item = flat.dtype, flat.dtype.itemsize
        self.private = (flat.values, flat.grads_all)
        self.windows = []
        n_all = flat.size + 3
        win = MPI.Win.Allocate_shared(n_all * item, item, comm=dp.comm)
        self.windows.append(win)
        self.grads = [np.frombuffer(win.Shared_query(r)[0], dtype=dtype, count=n_all)
                      for r in range(dp.size)]
        values = flat.values
        if sharded:
            values = self._allocate(flat.size, dtype)
        self.bounds = [(flat.size * r) // dp.size for r in range(dp.size + 1)]
        self.optimizer = self.private_slots = None
        share_slots = sharded and optimizer is not None and optimizer.built \
            and optimizer._whole_shape == (flat.size,)
        self.balance = share_slots and flat.size >= self.BALANCE_MIN
        if share_slots:
            self.optimizer = optimizer
            names = list(optimizer._slots)
            block = self._allocate(len(names) * flat.size, optimizer._dtype)
            slots = {name: block[i * flat.size:(i + 1) * flat.size]
                     for i, name in enumerate(names)}
        if self.balance:
            twin = MPI.Win.Allocate_shared(8, 8, comm=dp.comm)
            self.windows.append(twin)
            # Per rank: seconds per element of its slice's sum and step (0: not known yet).
            self.timing = [np.frombuffer(twin.Shared_query(r)[0], dtype=np.float64, count=1)
                           for r in range(dp.size)]
            self.timing[dp.rank][:] = 0.0
            self.t_start: float | None = None
            self.rate = 0.0
            self.steps = 0
        for w in self.windows:
            w.Lock_all(MPI.MODE_NOCHECK)
        mine = self.grads[dp.rank]
        mine[:] = flat.grads_all
        if sharded and dp.rank == 0:
            values[:] = flat.values  # the ranks' weights are equal (broadcast at the start)
        if share_slots:
            # A sharded rank's own slots are up to date in its own slice only.
            lo, hi = dp.slice_of(flat.size)
            for name, arr in slots.items():
                arr[lo:hi] = optimizer._slots[name][lo:hi]
        self.sync()
        flat.rebind(values, mine)
        if share_slots:
            self.private_slots = optimizer._rebind_slots(slots)

    def _allocate(self, count: int, dtype: np.dtype) -> np.ndarray:
        """``count`` elements of one array in a new window (held by rank 0)."""
        item = np.dtype(dtype).itemsize
        win = self.dp.MPI.Win.Allocate_shared(count * item if self.dp.rank == 0 else 0, item,
                                              comm=self.dp.comm)
        self.windows.append(win)
        return np.frombuffer(win.Shared_query(0)[0], dtype=dtype, count=count)

    def sync(self) -> None:
        """A barrier that also orders every rank's reads and writes of the windows."""
        for w in self.windows:
            w.Sync()
        self.dp.comm.Barrier()
        for w in self.windows:
            w.Sync()

    def reduce(self, sharded: bool) -> np.ndarray:
        """Sum the ranks' gradient buffers; returns the summed tail (loss, rows, weight).

        Not sharded: every buffer ends up holding the whole sum. Sharded: this
        rank's buffer holds the sum of its slice only (the tail is summed by each),
        with no second barrier: a rank reads the others' buffers only in its own
        slice and the tails, which nobody writes again before the barrier that ends
        the step (:meth:`end_step`).
        """
        dp, bufs = self.dp, self.grads
        mine = bufs[dp.rank]
        if sharded:
            if self.balance:
                self.timing[dp.rank][0] = self.rate
            self.sync()  # every rank has written its gradients (and its rate)
            if self.balance:
                self.steps += 1
                if self.steps % self.BALANCE_EVERY == 0:
                    self._rebalance()
                self.t_start = time.perf_counter()
            lo, hi = self.bounds[dp.rank], self.bounds[dp.rank + 1]
            # In rank order, whoever sums: the same bits whatever the bounds.
            total = np.add(bufs[0][lo:hi], bufs[1][lo:hi],
                           out=mine[lo:hi] if dp.rank < 2 else None)
            for b in bufs[2:]:
                np.add(total, b[lo:hi], out=total)
            if dp.rank >= 2:
                mine[lo:hi] = total
            tail = bufs[0][-3:].copy()  # in rank order: the same sums on every rank
            for b in bufs[1:]:
                tail += b[-3:]
        else:
            self.sync()  # every rank has written its gradients
            others = [b for r, b in enumerate(bufs) if r != dp.rank]
            lo, hi = dp.slice_of(mine.size)
            part = mine[lo:hi]
            for b in others:
                np.add(part, b[lo:hi], out=part)
            for b in others:
                b[lo:hi] = part
            self.sync()  # every buffer holds the whole sum
            tail = mine[-3:]
        return tail

    def end_step(self) -> None:
        """The barrier after a sharded step: every slice of the weights is stepped."""
        if self.balance and self.t_start is not None:
            lo, hi = self.bounds[self.dp.rank], self.bounds[self.dp.rank + 1]
            rate = (time.perf_counter() - self.t_start) / max(hi - lo, 1)
            if not self.rate:
                self.rate = rate
            elif rate < 4 * self.rate:  # else the rank was interrupted: not its rate
                self.rate = 0.8 * self.rate + 0.2 * rate
        self.sync()

    def _rebalance(self) -> None:
        """New bounds from every rank's posted rate (the same bounds on every rank)."""
        posted = np.array([t[0] for t in self.timing])
        if (posted > 0).all():
            self.bounds = balanced_bounds(self.flat.size, posted)

    def release(self, collective: bool = True) -> None:
        """Copy the weights (and optimizer slots) into private memory again and free the
        windows (collective)."""
        values, grads_all = self.private
        values[:] = self.flat.values
        self.flat.rebind(values, grads_all)
        if self.private_slots is not None:
            slots, variables = self.private_slots
            for name, arr in slots.items():
                arr[:] = self.optimizer._slots[name]  # every rank: every slice, up to date
            self.optimizer._rebind_slots(slots, variables)
            self.private_slots = None
        if not collective:
            return
        self.sync()  # nobody frees the shared weights while another rank still reads them
        for w in self.windows:
            w.Unlock_all()
            w.Free()
        self.windows = []


def balanced_bounds(total: int, rate: np.ndarray, align: int = 64) -> list[int]:
    """Slice bounds over ``total`` elements so that the ranks finish their slices together.

    Rank ``r`` takes ``rate[r]`` seconds per element of its slice (the sum over ranks
    and the optimizer step), so the shares go as ``1 / rate``. (The forward and
    backward passes cannot be evened out this way: the barrier before the sums waits
    for the slowest rank's passes whatever the slices.) Each rank keeps at least a
    quarter of an even share, so its rate stays measured, and the bounds fall on
    multiples of ``align`` elements (whole cache lines).
    """
    n = len(rate)
    inv = 1.0 / np.asarray(rate, dtype=np.float64)
    floor = total / (4 * n)
    share = np.full(n, floor)
    free = np.ones(n, dtype=bool)
    while free.any():  # a rank below the floor keeps it; the others share the rest again
        share[free] = inv[free] * ((total - floor * (n - free.sum())) / inv[free].sum())
        low = free & (share < floor)
        if not low.any():
            break
        share[low] = floor
        free &= ~low
    cuts = np.cumsum(share)[:-1]
    inner = [min(total, int(round(c / align)) * align) for c in cuts]
    return [0, *np.maximum.accumulate(inner).tolist(), total] if inner else [0, total]


class BatchNormReducer:
    """Global batch statistics for BatchNormalization across the ranks' shards."""

    def __init__(self, dp: DataParallel) -> None:
        self.dp = dp

    def __call__(self, x: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, int]:
        """``(mean, population variance, rows)`` of the global batch."""
        s = x.sum(axis=axes, dtype=np.float64)
        sq = np.square(x, dtype=np.float64).sum(axis=axes)
        count = x.size // max(s.size, 1)
        buf = np.concatenate([s.ravel(), sq.ravel(), [float(count)]])
        self.dp.allreduce(buf)
        k = s.size
        n = buf[-1]
        mean = buf[:k] / n
        var = np.maximum(buf[k:2 * k] / n - mean * mean, 0.0)
        return (mean.reshape(s.shape).astype(x.dtype), var.reshape(s.shape).astype(x.dtype),
                int(n))

    def reduce_sums(self, sum_g: np.ndarray, sum_gx: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
        """The backward pass's two per-feature sums, over the global batch."""
        buf = np.concatenate([np.ravel(sum_g), np.ravel(sum_gx)]).astype(np.float64)
        self.dp.allreduce(buf)
        k = np.size(sum_g)
        return (buf[:k].reshape(np.shape(sum_g)).astype(sum_g.dtype),
                buf[k:].reshape(np.shape(sum_gx)).astype(sum_gx.dtype))


class ModelParallel:  # pragma: no cover - Keras name, clear refusal
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise ValueError("minikeras supports DataParallel only; ModelParallel is not available.")
