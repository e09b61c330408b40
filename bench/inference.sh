#!/usr/bin/env bash
# Inference benchmark: Sinkhorn (20 iterations) in-process and over gRPC beside PyTorch eager,
# same threads, same run. Installs torch 2.13 CPU into .venv from the local wheel index if needed.
#   bash bench/inference.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

ensure_torch
build_modules bench,inference-service
# The Sinkhorn RPC needs no Kafka; the service is live (not ready) without a broker.
HEALTH=live start_service inference 19392 18392 -Dai.djl.pytorch.num_threads=2
trap 'stop_services' EXIT
java -Dai.djl.pytorch.num_threads=2 -cp "$(bench_classpath)" dev.sinkhorn.bench.SinkhornBench .venv/bin/python 127.0.0.1:19392 2
