"""Fit on a large float32 memmap under data parallelism; report peak allocations per rank.

``mpiexec -n N python dp_memmap.py <memmap path> <features> <out prefix>``: each
rank writes its tracemalloc peak (bytes) and its RssAnon (kB) to ``<out prefix>.<rank>``.
"""

import sys
import tracemalloc

import numpy as np

import minikeras as mk
from minikeras import distribution as D

path, features, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if len(sys.argv) < 5 or sys.argv[4] != "single":
    D.set_distribution(D.DataParallel())
mk.utils.set_random_seed(0)
x = np.memmap(path, dtype=np.float32, mode="r").reshape(-1, features)
y = np.memmap(path + ".y", dtype=np.int64, mode="r")
model = mk.Sequential([mk.Input((features,)), mk.layers.Dense(32, activation="relu"),
                       mk.layers.Dense(4, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
tracemalloc.start()
model.fit(x, y, epochs=1, batch_size=256, verbose=0)
peak = tracemalloc.get_traced_memory()[1]
rss_anon = next(int(line.split()[1]) for line in open("/proc/self/status")
                if line.startswith("RssAnon"))
rank = D.distribution().rank if D.distribution() is not None else 0
with open(f"{out}.{rank}", "w") as f:
    f.write(f"{peak} {rss_anon}\n")
