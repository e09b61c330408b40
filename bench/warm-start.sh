#!/usr/bin/env bash
# Warm start: the first 20 calls right after a service reports ready, against its warm median, for
# Match (2,000 x 9x9), Sinkhorn ([256, 36, 36]) and Predict (64 puzzles). Each service is started
# afresh ROUNDS times (default 3) on a stack of its own (home and ports below, not the usual ones);
# a short job gives Predict a model first. Prints a markdown table (docs/reliability.md).
#   bash bench/warm-start.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
ROUNDS=${1:-3}
build_modules bench,matcher-service,inference-service,trainer-service,cli
bench_stack warm 1959
java -jar cli/target/sinkhorn-cli.jar --trainer=127.0.0.1:19591 --inference=127.0.0.1:19592 train --model warm --epochs 1 \
  --train-limit 640 >/dev/null 2>&1
run() { java -cp "$(bench_classpath)" dev.sinkhorn.bench.WarmStartBench "$@"; }
restart() { echo "bash deploy/local/sinkhorn-local stop $1 >/dev/null 2>&1 && SINKHORN_SERVICES=$1 bash deploy/local/sinkhorn-local up >/dev/null 2>&1"; }
echo
echo "| call | round | connecting | first call | first 20 mean / warm median | first 20 max / warm median | warm median |"
echo "|---|---:|---:|---:|---:|---:|---:|"
run match 127.0.0.1:19593 - "$ROUNDS" "$(restart matcher)"
run sinkhorn 127.0.0.1:19592 - "$ROUNDS" "$(restart inference)"
run predict 127.0.0.1:19592 warm "$ROUNDS" "$(restart inference)"
# The floor: the same first 20 calls on a new connection to a service that has run for a while (no restart).
echo "| reference: a new connection to a long-running service, no restart | | | | | | |"
run match 127.0.0.1:19593 - 2 true
run sinkhorn 127.0.0.1:19592 - 2 true
run predict 127.0.0.1:19592 warm 2 true
