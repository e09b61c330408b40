#!/usr/bin/env bash
# Matcher memory under its largest requests: the matcher image with a memory limit, CLIENTS
# concurrent clients sending 60 MB Match requests (1,000 matrices of 122x122 as values_f32le, just
# under the 64 MB message cap) for 60 s; prints the peak resident memory docker reports, and whether
# the container survived. Sizes the manifests' matcher limit (docs/operations.md).
#   bash bench/matcher-memory.sh [LIMIT=1g] [CLIENTS=4]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
LIMIT=${1:-1g}
CLIENTS=${2:-4}
VERSION=$(sed -n '/<artifactId>sinkhorn-parent<\/artifactId>/,/<\/version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
bash deploy/containers/build >/dev/null
build_modules bench
docker rm -f bench-matcher-mem >/dev/null 2>&1 || true
docker run -d --name bench-matcher-mem --read-only --tmpfs /tmp:rw,exec --memory "$LIMIT" --cpus 2 \
  -p 127.0.0.1:19493:9093 -p 127.0.0.1:18493:8083 ${JAVA_OPTS:+-e JAVA_OPTS="$JAVA_OPTS"} \
  "sinkhorn/matcher-service:$VERSION" >/dev/null
trap 'docker rm -f bench-matcher-mem >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 200); do curl -fs http://127.0.0.1:18493/q/health/ready >/dev/null 2>&1 && break; sleep 0.1; done
idle=$(docker stats --no-stream --format '{{.MemUsage}}' bench-matcher-mem | cut -d/ -f1)
java -cp "$(bench_classpath)" dev.sinkhorn.bench.MatcherLoad 127.0.0.1:19493 "$CLIENTS" 1000 122 60 >target/matcher-load.txt 2>&1 &
load=$!
peak=0
while kill -0 $load 2>/dev/null; do
  m=$(docker stats --no-stream --format '{{.MemUsage}}' bench-matcher-mem 2>/dev/null | cut -d/ -f1 | tr -d ' ' || echo 0)
  mib=$(case $m in *GiB) echo "${m%GiB} * 1024" | bc;; *MiB) echo "${m%MiB}";; *) echo 0;; esac)
  [ "$(echo "$mib > $peak" | bc)" = 1 ] && peak=$mib
done
wait $load || true
state=$(docker inspect -f '{{.State.Status}} oom={{.State.OOMKilled}} restarts={{.RestartCount}}' bench-matcher-mem)
echo "limit $LIMIT, ${JAVA_OPTS:-default JVM flags}, $CLIENTS clients: idle $idle, peak ${peak} MiB, container $state; $(tail -1 target/matcher-load.txt)"
