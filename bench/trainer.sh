#!/usr/bin/env bash
# Trainer benchmark: throughput against the seed notebook's PyTorch code and the same maths tuned
# in PyTorch (interleaved rounds, same 2 threads), time to accuracy, and accuracy of full runs.
#   bash bench/trainer.sh [throughput|time|accuracy|all]   (default all; accuracy takes ~20 min)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
what=${1:-all}

ensure_torch
build_modules bench
CP=$(bench_classpath)
MNIST=${SINKHORN_DATA_DIR:-$HOME/.cache/sinkhorn/data}/mnist
JAVA="java -XX:+UseParallelGC -Dai.djl.pytorch.num_threads=2 -cp $CP"
export PYTHONPATH=bench/trainer

if [ "$what" = all ] || [ "$what" = throughput ]; then
  echo "## Throughput (2x2 MNIST, batch 64, 30,000 images per measurement, 3 interleaved rounds)"
  out=$(for round in 1 2 3; do
    .venv/bin/python bench/trainer/torch_reference.py "$MNIST" notebook 30000
    .venv/bin/python bench/trainer/torch_reference.py "$MNIST" tuned 30000
    $JAVA dev.sinkhorn.bench.TrainThroughput 30000 2>/dev/null | grep images_per_second
  done)
  echo "$out" | python3 bench/trainer/summarize_throughput.py
fi

if [ "$what" = all ] || [ "$what" = time ]; then
  echo "## Time to mean Kendall tau 0.99 on the 10k test set (training seconds, evaluations excluded)"
  echo "| run | result |"
  echo "|---|---|"
  echo "| notebook code, lr 1e-4 (its default) | $(.venv/bin/python bench/trainer/torch_time_to_accuracy.py "$MNIST" 1e-4 0.99 100) |"
  echo "| notebook code, lr 1e-3 | $(.venv/bin/python bench/trainer/torch_time_to_accuracy.py "$MNIST" 1e-3 0.99 50) |"
  echo "| ours, seed settings with lr 1e-3 | $($JAVA dev.sinkhorn.bench.TimeToAccuracy 0.99 1e-3 64 0.1 1 32 50 3 0 2>/dev/null | tail -1) |"
  echo "| ours, preset fast (lr 3e-3, batch 128) | $($JAVA dev.sinkhorn.bench.TimeToAccuracy 0.99 3e-3 128 0.1 1 32 25 3 0 2>/dev/null | tail -1) |"
fi

if [ "$what" = all ] || [ "$what" = accuracy ]; then
  echo "## Accuracy of full runs (10k test set after every epoch)"
  echo "### 2x2, seed settings, 5 epochs"
  $JAVA dev.sinkhorn.bench.TrainProbe 2 5 1e-4 2>/dev/null | grep epoch
  echo "### 2x2, preset fast, 2 epochs"
  $JAVA dev.sinkhorn.bench.TrainProbe 2 2 3e-3 0 32 0.1 1 128 2>/dev/null | grep epoch
  echo "### 3x3 MNIST, recipe (lr 1e-3, tau 1.0), 20 epochs"
  $JAVA dev.sinkhorn.bench.TrainProbe 3 20 1e-3 0 32 1.0 1 64 2>/dev/null | grep epoch
  echo "### 3x3 Fashion-MNIST, same recipe, 20 epochs"
  $JAVA dev.sinkhorn.bench.TrainProbe 3 20 1e-3 0 32 1.0 1 64 0 20 fashion-mnist 2>/dev/null | grep epoch
  echo "### 4x4 MNIST, same recipe, 10 epochs"
  $JAVA dev.sinkhorn.bench.TrainProbe 4 10 1e-3 0 32 1.0 1 64 2>/dev/null | grep epoch
fi
