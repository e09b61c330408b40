#!/usr/bin/env bash
# Dynamic batching of Predict and Sinkhorn: 16 clients each sending one item per call (a 2x2 puzzle,
# a 4x4 matrix; each client on a connection of its own, then all on one shared connection as threads
# of one application do), against one client sending 64 items per call (the reference, same run), with the inference service's dynamic
# batching on (the default) and then off. Runs on a stack of its own. Prints markdown (docs/benchmarks.md).
#   bash bench/batching.sh [SECONDS] [CLIENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
SECONDS_EACH=${1:-30}
CLIENTS=${2:-16}
build_modules bench,matcher-service,inference-service,trainer-service,cli
echo
echo "In-process, the compute thread's share:"
java -Dai.djl.offline=true -cp "$(bench_classpath)" dev.sinkhorn.bench.PredictPass
bench_stack batching 1979
java -jar cli/target/sinkhorn-cli.jar --trainer=127.0.0.1:19791 --inference=127.0.0.1:19792 train --model batching --epochs 1 \
  --train-limit 640 >/dev/null 2>&1
bash deploy/local/sinkhorn-local stop trainer >/dev/null 2>&1
run() { java -cp "$(bench_classpath)" dev.sinkhorn.bench.BatchingBench \
  "127.0.0.1:19792:18792:$(cat "$SINKHORN_HOME/run/inference.pid")" batching "$CLIENTS" "$SECONDS_EACH" "$1"; }
echo
echo "| RPC | dynamic batching | load | items/s | of the reference | p50 | p99 | errors | wrong |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
run "on (64 items, 2 ms)"
bash deploy/local/sinkhorn-local stop inference >/dev/null 2>&1
JAVA_OPTS="-Dinference.dynamic-batching.enabled=false" SINKHORN_SERVICES=inference bash deploy/local/sinkhorn-local up >/dev/null 2>&1
run "off"
