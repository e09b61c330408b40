package dev.sinkhorn.testing;

import dev.sinkhorn.localkafka.LocalKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The one real Kafka broker of a test JVM, started on first use and stopped when the JVM exits.
 *
 * <p>System property {@code sinkhorn.kafka}: {@code embedded} (default) runs a KRaft broker from
 * Kafka's own classes inside the JVM ({@link LocalKafkaBroker}); {@code testcontainers} runs the
 * project's own sinkhorn/kafka image (made by deploy/containers/build, a compatible substitute for
 * apache/kafka) through Testcontainers, where Docker is available (tests that need Kafka are
 * skipped otherwise, see {@link RequiresKafka}). The test code and assertions are the same.
 */
public final class KafkaTestBroker {
    public static final String MODE_PROPERTY = "sinkhorn.kafka";
    /**
     * Quarkus loads test resources anew (another class loader) when an application restarts
     * between test classes, so this class's statics are not one per JVM. The broker's address and
     * its stop/start actions are kept where every loader sees them: in the system properties,
     * under java.* types.
     */
    private static final String BOOTSTRAP_KEY = "sinkhorn.test.kafka.bootstrap";
    private static final String STOP_KEY = "sinkhorn.test.kafka.stop";
    private static final String START_KEY = "sinkhorn.test.kafka.start";

    private KafkaTestBroker() {
    }

    public static boolean testcontainersMode() {
        return "testcontainers".equals(System.getProperty(MODE_PROPERTY, "embedded"));
    }


    /** Bootstrap servers of the JVM's broker, started on first use. */
    public static String bootstrapServers() {
        synchronized (System.getProperties()) {
            String running = System.getProperty(BOOTSTRAP_KEY);
            if (running != null) {
                return running;
            }
            String bootstrap;
            if (testcontainersMode()) {
                KafkaContainer c = new KafkaContainer(Containers.image("kafka").asCompatibleSubstituteFor("apache/kafka"));
                c.start();
                Runtime.getRuntime().addShutdownHook(new Thread(c::stop));
                bootstrap = c.getBootstrapServers();
            } else {
                LocalKafkaBroker broker;
                try {
                    broker = LocalKafkaBroker.onFreePorts(Files.createTempDirectory("sinkhorn-kafka-test")).start();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                Runtime.getRuntime().addShutdownHook(new Thread(broker::stop));
                System.getProperties().put(STOP_KEY, (Runnable) broker::stop);
                System.getProperties().put(START_KEY, (Runnable) broker::start);
                bootstrap = broker.bootstrapServers();
            }
            System.setProperty(BOOTSTRAP_KEY, bootstrap);
            return bootstrap;
        }
    }

    /**
     * Stops the embedded broker (data and ports are kept for {@link #restart()}). Only in embedded
     * mode: tests that do this are skipped with Testcontainers ({@link RequiresKafka#restartable()}).
     */
    public static void stop() {
        bootstrapServers();
        ((Runnable) System.getProperties().get(STOP_KEY)).run();
    }

    /** Starts the stopped embedded broker again, on the same ports with the same data. */
    public static void restart() {
        ((Runnable) System.getProperties().get(START_KEY)).run();
    }
}
