# sinkhorn/ml-base: the JRE plus what training and evaluating need from Debian: the Fashion-MNIST
# package (found by the data loader through dpkg -L, checked against its SHA-256 sums).
ARG BASE
FROM ${BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends dataset-fashion-mnist \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
