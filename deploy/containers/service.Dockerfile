# One of the three services, as Kubernetes runs it: uid 185, a read-only root file system (only
# /tmp writable), every setting from environment variables, the JVM sized from the memory limit.
# Context (made by deploy/containers/build): app/ = the Quarkus fast-jar (target/quarkus-app),
# djl/ = libtorch unpacked at build time (empty for the matcher), data/ = MNIST (empty for the matcher).
ARG BASE
FROM ${BASE}
ARG SERVICE
ARG GRPC_PORT
ARG HTTP_PORT
ARG JAVA_GC=-XX:+UseG1GC
COPY --chown=185:0 djl/ /opt/djl/
COPY --chown=185:0 data/ /opt/sinkhorn/data/
COPY --chown=185:0 app/lib/ /deployments/lib/
COPY --chown=185:0 app/quarkus-run.jar /deployments/
COPY --chown=185:0 app/quarkus/ /deployments/quarkus/
COPY --chown=185:0 app/app/ /deployments/app/
COPY entrypoint /usr/local/bin/sinkhorn-entrypoint
ENV SINKHORN_SERVICE=${SERVICE} \
    JAVA_GC=${JAVA_GC} \
    DJL_OFFLINE=true \
    DJL_CACHE_DIR=/opt/djl \
    SINKHORN_DATA_BUNDLE=/opt/sinkhorn/data \
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=2147483647
USER 185
WORKDIR /tmp
EXPOSE ${GRPC_PORT} ${HTTP_PORT}
ENTRYPOINT ["/usr/local/bin/sinkhorn-entrypoint"]
