#!/usr/bin/env bash
# Container figures: image sizes, build times (cold cache of the service layers, and a rebuild with
# nothing changed), each container's time from `docker start` to ready, and its resident memory at
# idle and at its peak while a demo-sized job runs (2 epochs of 2x2 MNIST, evaluation on 10,000
# images). Prints a markdown table (copied into docs/operations.md).
#   bash bench/containers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=$(sed -n '/<artifactId>sinkhorn-parent<\/artifactId>/,/<\/version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
NET=sinkhorn-bench
P=bench-

cleanup() {
  docker rm -f ${P}kafka ${P}matcher ${P}inference ${P}trainer >/dev/null 2>&1 || true
  docker network rm $NET >/dev/null 2>&1 || true
}
trap cleanup EXIT

bash deploy/containers/build >/dev/null
# A rebuild of the service images with their cached layers dropped (the bases stay), then one with nothing changed.
docker rmi -f "sinkhorn/matcher-service:$VERSION" "sinkhorn/inference-service:$VERSION" "sinkhorn/trainer-service:$VERSION" \
  "sinkhorn/kafka:$VERSION" >/dev/null
docker builder prune -af >/dev/null 2>&1 || true
t0=$(date +%s.%N); bash deploy/containers/build --no-maven >/dev/null; cold=$(echo "$(date +%s.%N) - $t0" | bc)
t0=$(date +%s.%N); bash deploy/containers/build >/dev/null; warm=$(echo "$(date +%s.%N) - $t0" | bc)

rss() { docker stats --no-stream --format '{{.MemUsage}}' "$1" | cut -d/ -f1 | tr -d ' '; }
ready() { # CONTAINER HTTP_PORT -> seconds from now until /q/health/ready answers 200
  local start=$1 port=$2
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1 && { echo "$(date +%s.%N) - $start" | bc; return; }
    sleep 0.1
  done
  echo "never"
}

cleanup
docker network create $NET >/dev/null
t0=$(date +%s.%N)
docker run -d --name ${P}kafka --network $NET -e KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://${P}kafka:9092 "sinkhorn/kafka:$VERSION" >/dev/null
for _ in $(seq 1 600); do docker logs ${P}kafka 2>&1 | grep -q 'RECOVERY to RUNNING' && break; sleep 0.1; done
kafka_ready=$(echo "$(date +%s.%N) - $t0" | bc)
declare -A READY
start() { # NAME GRPC HTTP
  local t
  t=$(date +%s.%N)
  docker run -d --name "${P}$1" --network $NET --read-only --tmpfs /tmp:rw,exec,size=1g --memory 2g --cpus 2 \
    -p "127.0.0.1:1$2:$2" -p "127.0.0.1:1$3:$3" -e KAFKA_BOOTSTRAP_SERVERS=${P}kafka:9092 \
    -e QUARKUS_GRPC_CLIENTS_MATCHER_HOST=${P}matcher "sinkhorn/$1-service:$VERSION" >/dev/null
  READY[$1]=$(ready "$t" "1$3")
}
start matcher 9093 8083
start inference 9092 8082
start trainer 9091 8081
declare -A IDLE PEAK
for c in kafka matcher inference trainer; do IDLE[$c]=$(rss ${P}$c); PEAK[$c]=${IDLE[$c]}; done

# Demo load: train, watch, wait for the evaluation of the last version on 10,000 test images.
(java -jar cli/target/sinkhorn-cli.jar --trainer=127.0.0.1:19091 --inference=127.0.0.1:19092 --matcher=127.0.0.1:19093 \
   train --model bench --epochs 2 >/dev/null 2>&1; touch target/bench-containers.done) &
rm -f target/bench-containers.done
to_mib() { local v=$1; case $v in *GiB) echo "${v%GiB} * 1024" | bc;; *MiB) echo "${v%MiB}";; *KiB) echo "${v%KiB} / 1024" | bc -l;; *) echo 0;; esac; }
while [ ! -f target/bench-containers.done ]; do
  for c in kafka matcher inference trainer; do
    now=$(rss ${P}$c)
    [ "$(echo "$(to_mib "$now") > $(to_mib "${PEAK[$c]}")" | bc)" = 1 ] && PEAK[$c]=$now
  done
done
wait

size() { docker image inspect --format '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1/1e6}'; }
echo
echo "| image | size | start to ready | resident at idle | resident peak under the demo's load |"
echo "|---|---:|---:|---:|---:|"
echo "| sinkhorn/kafka:$VERSION | $(size sinkhorn/kafka:$VERSION) | ${kafka_ready:0:4} s | ${IDLE[kafka]} | ${PEAK[kafka]} |"
for s in matcher inference trainer; do
  echo "| sinkhorn/$s-service:$VERSION | $(size sinkhorn/$s-service:$VERSION) | ${READY[$s]:0:4} s | ${IDLE[$s]} | ${PEAK[$s]} |"
done
echo
echo "service and Kafka images built from cached bases in ${cold:0:5} s; rebuilt with nothing changed in ${warm:0:4} s"
