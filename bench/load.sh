#!/usr/bin/env bash
# Load: 32 concurrent clients (a channel each) for 60 s against the matcher (Match of 256 9x9
# matrices) and the inference service (Sinkhorn [64, 9, 9]; Predict of 16 puzzles), one workload
# at a time: calls/s, p50/p99/max, errors, wrong answers, and each service's live heap (after a
# full GC) and RSS before and after. --soak: the three workloads together for 10 minutes, a row a
# minute. Runs on a stack of its own (home and ports below). Prints markdown (docs/reliability.md).
#   bash bench/load.sh [--soak] [SECONDS_OR_MINUTES] [CLIENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
MODE=load
if [ "${1:-}" = --soak ]; then MODE=soak; shift; fi
AMOUNT=${1:-$([ $MODE = soak ] && echo 10 || echo 60)}
CLIENTS=${2:-32}
build_modules bench,matcher-service,inference-service,trainer-service,cli
bench_stack load 1969
java -jar cli/target/sinkhorn-cli.jar --trainer=127.0.0.1:19691 --inference=127.0.0.1:19692 train --model load --epochs 1 \
  --train-limit 640 >/dev/null 2>&1
# The trainer is not under load: stopped, so that its work does not take the two cores.
bash deploy/local/sinkhorn-local stop trainer >/dev/null 2>&1
RUN=$SINKHORN_HOME/run
echo
java -cp "$(bench_classpath)" dev.sinkhorn.bench.LoadBench "$MODE" "$AMOUNT" "$CLIENTS" load \
  "127.0.0.1:19693:18693:$(cat "$RUN/matcher.pid")" "127.0.0.1:19692:18692:$(cat "$RUN/inference.pid")"
