"""SciPy's side of the matcher benchmark: times linear_sum_assignment and kendalltau on the inputs
MatcherBench wrote (little-endian float32 / int32). Prints "name median_seconds" lines."""
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.stats import kendalltau

d = Path(sys.argv[1])


def median(fn, warmups, runs):
    for _ in range(warmups):
        fn()
    t = []
    for _ in range(runs):
        s = time.perf_counter()
        fn()
        t.append(time.perf_counter() - s)
    return sorted(t)[runs // 2]


for n in (4, 9, 16):
    xs = np.fromfile(d / f"batch{n}.f32", dtype="<f4").reshape(-1, n, n)
    print(f"batch{n}", median(lambda: [linear_sum_assignment(m, maximize=True) for m in xs], 2, 15))
for n in (500, 1000, 2000):
    x = np.fromfile(d / f"dense{n}.f32", dtype="<f4").reshape(n, n)
    print(f"dense{n}", median(lambda: linear_sum_assignment(x, maximize=True), 2, 5 if n >= 2000 else 9))
a = np.fromfile(d / "kt9a.i32", dtype="<i4").reshape(-1, 9)
b = np.fromfile(d / "kt9b.i32", dtype="<i4").reshape(-1, 9)
print("kt9", median(lambda: [kendalltau(p, q) for p, q in zip(a, b)], 1, 5))
a = np.fromfile(d / "kt100ka.i32", dtype="<i4")
b = np.fromfile(d / "kt100kb.i32", dtype="<i4")
print("kt100k", median(lambda: kendalltau(a, b), 2, 15))
