"""Reads "<name> images_per_second <rate> ..." lines (stdin) and prints the throughput table."""
import statistics
import sys

rates = {}
for line in sys.stdin:
    parts = line.split()
    if len(parts) >= 3 and parts[1] == "images_per_second":
        rates.setdefault(parts[0], []).append(float(parts[2]))
median = {name: statistics.median(values) for name, values in rates.items()}
labels = [("notebook", "seed notebook code (PyTorch 2.13, per-piece loop)"),
          ("tuned", "same maths, PyTorch tuned as ours"),
          ("ours", "ours (DJL 0.36 on libtorch 2.7.1)")]
print("| trainer | images/s (median) | runs | ours / this |")
print("|---|---:|---|---:|")
for name, label in labels:
    runs = ", ".join(f"{r:,.0f}" for r in rates[name])
    print(f"| {label} | {median[name]:,.0f} | {runs} | {median['ours'] / median[name]:.2f} |")
