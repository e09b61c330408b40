#!/usr/bin/env bash
# Our jigsaw results in the layout of the paper's table (Mena et al. 2018, Table 2: 2x2 to 6x6
# MNIST as columns; prop wrong, prop any wrong, l1, l2, Kendall tau as rows), for both
# architectures (per-piece, context) and both metric flavours (positional, identical pieces
# interchangeable). Every model trains for the same wall-clock budget on this machine, then is
# scored on the whole test split. Prints markdown (docs/benchmarks.md#the-papers-jigsaw-table).
#   bash bench/paper-tables.sh [MINUTES_PER_MODEL] [DATASET] [GRID...]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
build_modules bench
minutes=${1:-3}
dataset=${2:-mnist}
shift $(( $# > 2 ? 2 : $# ))
grids=("$@")
[ ${#grids[@]} -gt 0 ] || grids=(2 3 4 5 6)
java -Dai.djl.offline=true -cp "$(bench_classpath)" dev.sinkhorn.bench.PaperTables "$minutes" "$dataset" "${grids[@]}"
