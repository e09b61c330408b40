"""Writes core/src/test/resources/scipy/kendalltau.csv: reference values of scipy.stats.kendalltau.

Each line: x values;y values;tau (repr, 'nan' where SciPy gives NaN). Run from the repository root:
    python3 bench/scipy/kendalltau_fixture.py
"""
import numpy as np
import scipy
from scipy.stats import kendalltau

rng = np.random.default_rng(2018)
cases = []
for n in list(range(2, 13)) + [50, 1000]:
    for _ in range(5):
        cases.append((rng.permutation(n), rng.permutation(n)))
for n in [2, 3, 5, 9, 40, 500]:
    for k in [2, 3, 7]:
        for _ in range(4):
            cases.append((rng.integers(0, k, n), rng.integers(-k, k, n)))
cases.append((np.array([1, 1, 1]), np.array([0, 1, 2])))   # constant x: NaN
cases.append((np.array([0, 1, 2]), np.array([5, 5, 5])))   # constant y: NaN
cases.append((np.array([3, 1, 2, 2]), np.array([1, 2, 2, 3])))
with open("core/src/test/resources/scipy/kendalltau.csv", "w") as f:
    f.write(f"# scipy {scipy.__version__}, numpy {np.__version__}: x;y;tau-b\n")
    for x, y in cases:
        tau = kendalltau(x, y).statistic
        f.write(" ".join(map(str, x)) + ";" + " ".join(map(str, y)) + ";" + repr(float(tau)) + "\n")
print(len(cases), "cases")
