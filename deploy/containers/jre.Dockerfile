# sinkhorn/jre: Java 17 runtime on the locally made Debian base, and the user the pods run as
# (uid 185, group 0, as the Kubernetes manifests expect).
ARG BASE
FROM ${BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless ca-certificates \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 185 --gid 0 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin sinkhorn
