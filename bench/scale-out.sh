#!/usr/bin/env bash
# Training scale-out: jobs per hour of a fixed small job with 1 and 2 trainer processes sharing
# sinkhorn.jobs (12 jobs, one per partition), and the time from a trainer's SIGKILL to its job
# running again on the other (ROUNDS times). Broker in the bench JVM. Prints markdown (docs/scale-out.md).
#   bash bench/scale-out.sh [TRAIN_LIMIT] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
build_modules bench,trainer-service
java -Dai.djl.offline=true -cp "$(bench_classpath)" dev.sinkhorn.bench.ScaleOutBench "${1:-6400}" "${2:-3}"
