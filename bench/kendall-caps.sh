#!/usr/bin/env bash
# What positional metrics can say about a perfect jigsaw model: the whole MNIST and Fashion-MNIST
# test splits, 2x2 to 6x6, every puzzle right up to identical pieces (placed at random among
# themselves). Prints markdown (docs/training.md).
#   bash bench/kendall-caps.sh [SAMPLES_PER_PUZZLE]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
build_modules bench
java -Dai.djl.offline=true -cp "$(bench_classpath)" dev.sinkhorn.bench.KendallCaps "${1:-20}"
