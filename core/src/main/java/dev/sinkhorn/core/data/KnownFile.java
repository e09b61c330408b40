package dev.sinkhorn.core.data;

/**
 * One IDX file of a published data set: its canonical name (without .gz) and the SHA-256 of its
 * uncompressed content, which is what every source is checked against.
 */
record KnownFile(String name, String sha256) {
}
