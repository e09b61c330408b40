#!/usr/bin/env bash
# Matcher benchmark: exact assignment and Kendall tau, ours (in-process and over gRPC) beside SciPy
# on the same inputs in the same run. Prints a markdown table (copied into docs/benchmarks.md).
#   bash bench/matcher.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

build_modules bench,matcher-service
start_service matcher 19393 18393
trap 'stop_services' EXIT
java -Xmx4g -cp "$(bench_classpath)" dev.sinkhorn.bench.MatcherBench target/bench-matcher 127.0.0.1:19393
