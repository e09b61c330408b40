package dev.sinkhorn.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the checkout is, for tests that read its files or run what it built. */
public final class Repository {
    private Repository() {
    }

    /** The checkout's root: the first folder at or above the working directory that holds the parent pom and core/. */
    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("core")))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no checkout (pom.xml beside core/) at or above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
