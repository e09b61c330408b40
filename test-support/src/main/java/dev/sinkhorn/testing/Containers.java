package dev.sinkhorn.testing;

import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.utility.DockerImageName;

/**
 * The pipeline's container images for tests, as deploy/containers/build tags them
 * (sinkhorn/NAME:VERSION, VERSION = the project version, handed to the tests as the system
 * property sinkhorn.version), and whether a Docker engine is there to run them.
 */
public final class Containers {
    /** Environment variable: "required" makes container tests fail instead of skipping when Docker or an image is missing (CI). */
    public static final String REQUIRED_ENV = "SINKHORN_CONTAINER_TESTS";

    private Containers() {
    }

    public static String version() {
        String v = System.getProperty("sinkhorn.version");
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("system property sinkhorn.version is not set (the build sets it to the project version)");
        }
        return v;
    }

    /** sinkhorn/NAME:VERSION, e.g. image("kafka"), image("trainer-service"). */
    public static DockerImageName image(String name) {
        return DockerImageName.parse("sinkhorn/" + name + ":" + version());
    }

    public static boolean required() {
        return "required".equalsIgnoreCase(System.getenv(REQUIRED_ENV));
    }

    public static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            System.err.println("[containers] no Docker engine: " + t);
            return false;
        }
    }

    /** The images of {@code names} that the engine does not have (all of them when there is no engine). */
    public static List<String> missingImages(List<String> names) {
        if (!dockerAvailable()) {
            return names;
        }
        return names.stream().filter(n -> {
            try {
                DockerClientFactory.instance().client().inspectImageCmd(image(n).asCanonicalNameString()).exec();
                return false;
            } catch (RuntimeException notThere) {
                return true;
            }
        }).toList();
    }
}
