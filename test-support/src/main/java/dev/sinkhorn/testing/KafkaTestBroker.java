package dev.sinkhorn.testing;

import dev.sinkhorn.broker.LocalKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The one real Kafka broker of a test JVM, started on first use and stopped when the JVM exits.
 *
 * <p>System property {@code sinkhorn.kafka}: {@code embedded} (default) runs a KRaft broker from
 * Kafka's own classes inside the JVM ({@link LocalKafkaBroker}); {@code testcontainers} runs the
 * apache/kafka image through Testcontainers, where Docker is available (tests that need Kafka are
 * skipped otherwise, see {@link RequiresKafka}). The test code and assertions are the same.
 */
public final class KafkaTestBroker {
    public static final String MODE_PROPERTY = "sinkhorn.kafka";
    private static LocalKafkaBroker embedded;
    private static KafkaContainer container;

    private KafkaTestBroker() {
    }

    public static boolean testcontainersMode() {
        return "testcontainers".equals(System.getProperty(MODE_PROPERTY, "embedded"));
    }

    public static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        }
    }

    /** Bootstrap servers of the (started) broker. */
    public static synchronized String bootstrapServers() {
        if (testcontainersMode()) {
            if (container == null) {
                container = new KafkaContainer("apache/kafka:4.1.1");
                container.start();
                Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
            }
            return container.getBootstrapServers();
        }
        return embedded().bootstrapServers();
    }

    /**
     * The in-JVM broker itself, for tests that stop and restart it. Only in embedded mode: tests that
     * need it are skipped with Testcontainers (see {@link RequiresKafka#restartable()}).
     */
    public static synchronized LocalKafkaBroker embedded() {
        if (embedded == null) {
            try {
                embedded = LocalKafkaBroker.onFreePorts(Files.createTempDirectory("sinkhorn-kafka-test")).start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            LocalKafkaBroker broker = embedded;
            Runtime.getRuntime().addShutdownHook(new Thread(broker::stop));
        }
        return embedded.start();
    }
}
