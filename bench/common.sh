# Shared helpers of the bench scripts (sourced). Builds, starts services on bench ports, stops them.
export DJL_OFFLINE=true
export GLIBC_TUNABLES=${GLIBC_TUNABLES:-glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=2147483647}
BENCH_PIDS=()

build_modules() {
  echo "[bench] building $1 ..." >&2
  mvn -B -ntp -q -DskipTests -pl "$1" -am install >&2
  mvn -B -ntp -q -pl bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2
}

bench_classpath() {
  echo "bench/target/classes:$(cat bench/target/classpath.txt)"
}

# start_service NAME GRPC_PORT HTTP_PORT [extra -D flags...]
start_service() {
  local name=$1 grpc=$2 http=$3
  shift 3
  mkdir -p target
  java -Dai.djl.offline=true -Dquarkus.grpc.server.port="$grpc" -Dquarkus.http.port="$http" "$@" \
    -jar "$name-service/target/quarkus-app/quarkus-run.jar" >"target/bench-$name.log" 2>&1 &
  BENCH_PIDS+=($!)
  for _ in $(seq 1 240); do
    curl -fs "http://127.0.0.1:$http/q/health/${HEALTH:-ready}" >/dev/null 2>&1 && { echo "[bench] $name ${HEALTH:-ready}" >&2; return; }
    sleep 0.5
  done
  echo "[bench] $name did not become ready; see target/bench-$name.log" >&2
  exit 1
}

stop_services() {
  for pid in "${BENCH_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${BENCH_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}

# torch 2.13 CPU (the PyTorch references) in .venv, from the machine's local wheel index.
ensure_torch() {
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import torch" 2>/dev/null; then
    echo "[bench] installing torch 2.13.0+cpu into .venv ..." >&2
    python3 -m venv --system-site-packages .venv
    .venv/bin/pip install -q --index-url file:///opt/pypi/simple torch==2.13.0+cpu >&2
  fi
}

# bench_stack NAME PREFIX: broker and services of a bench's own (home target/bench-NAME; gRPC ports
# PREFIX1-3 for trainer, inference, matcher, HTTP ports (PREFIX-100)1-3, Kafka PREFIX4 and PREFIX5),
# never the user's stack; stopped when the script exits. Exports the SINKHORN_* variables the
# launcher reads.
bench_stack() {
  local p=$2 h=$(($2 - 100))
  export SINKHORN_HOME=$PWD/target/bench-$1 KAFKA_PORT=${p}4 KAFKA_CONTROLLER_PORT=${p}5
  export SINKHORN_TRAINER_GRPC_PORT=${p}1 SINKHORN_TRAINER_HTTP_PORT=${h}1 SINKHORN_INFERENCE_GRPC_PORT=${p}2
  export SINKHORN_INFERENCE_HTTP_PORT=${h}2 SINKHORN_MATCHER_GRPC_PORT=${p}3 SINKHORN_MATCHER_HTTP_PORT=${h}3
  rm -rf "$SINKHORN_HOME"
  trap 'bash deploy/local/sinkhorn-local down >/dev/null 2>&1 || true' EXIT
  bash deploy/local/sinkhorn-local up >/dev/null
}
