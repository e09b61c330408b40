#!/usr/bin/env bash
# The paper's sorting table (Mena et al. 2018, Table 1: N = 5, 10, 15, 80, 100, 120): trains one
# sorting network per N in-process with the sorting preset's settings (google/gumbel_sinkhorn's),
# then scores fresh test lists with the exact assignment; also the generalisation rows (numbers
# from [0, 10], lists of N/2 and 2N). Prints markdown (docs/benchmarks.md#sorting).
#   bash bench/sorting.sh [STEPS] [TEST_LISTS] [N...]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
build_modules bench
steps=${1:-2000}
lists=${2:-1000}
shift $(( $# > 2 ? 2 : $# ))
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(5 10 15 80 100 120)
java -Dai.djl.offline=true -cp "$(bench_classpath)" dev.sinkhorn.bench.SortingTable "$steps" "$lists" "${sizes[@]}"
