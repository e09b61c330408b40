# sinkhorn/trainer-service:<version>-gpu (and inference-service with --build-arg BASE=...inference...):
# the CPU image plus the CUDA 12.8 build of libtorch 2.7.1, unpacked at build time where DJL looks
# for it, so that DJL stays offline and the first device "gpu" request never downloads gigabytes
# into a size-limited /tmp. Needs the NVIDIA container runtime on the node (runtimeClassName:
# nvidia in deploy/k8s/overlays/gpu).
#
# Built by `deploy/containers/build --gpu` on a machine that reaches DJL's distribution of libtorch
# (publish.djl.ai): the files listed for cu128/linux-x86_64 in its files.txt, as DJL's own
# downloader fetches them. Maven Central carries CUDA builds of pytorch-native only up to cu124 for
# PyTorch 2.5.1, so none fits pytorch-jni 2.7.1-0.36.0. Not built on the project's machines (no
# route to publish.djl.ai, no GPU); see docs/operations.md.
ARG BASE
FROM ${BASE}
ARG DJL_PYTORCH=https://publish.djl.ai/pytorch/2.7.1
USER root
RUN set -eux; \
    apt-get update; DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl unzip; \
    dir=/opt/djl/pytorch/2.7.1-cu128-linux-x86_64; mkdir -p "$dir"; \
    curl -fsSL "$DJL_PYTORCH/files.txt" | grep '^cu128/linux-x86_64/' | while read -r f; do \
      name=$(basename "$f" .gz); curl -fsSL "$DJL_PYTORCH/$f" | gunzip >"$dir/$name"; \
    done; \
    unzip -p /deployments/lib/main/ai.djl.pytorch.pytorch-jni-*.jar jnilib/linux-x86_64/cu128/libdjl_torch.so \
      >"$dir/0.36.0-libdjl_torch.so"; \
    apt-get purge -y curl unzip; apt-get autoremove -y; apt-get clean; rm -rf /var/lib/apt/lists/*; \
    chown -R 185:0 /opt/djl; chmod -R a+rX /opt/djl
ENV PYTORCH_FLAVOR=cu128
USER 185
