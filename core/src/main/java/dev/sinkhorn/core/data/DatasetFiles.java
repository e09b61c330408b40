package dev.sinkhorn.core.data;

import java.nio.file.Path;

/** Where the four IDX files of a data set are (raw or gzip-compressed). */
public record DatasetFiles(Path trainImages, Path trainLabels, Path testImages, Path testLabels) {
}
