package dev.sinkhorn.service.kafka;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * A consumer on its own thread that survives Kafka going away: once the topics exist it runs the
 * body with a fresh consumer; when the body fails it starts over 2 s later with a new one.
 * {@link #stop()} wakes the consumer up and ends the thread.
 */
public final class ConsumerLoop {
    private static final Logger LOG = Logger.getLogger(ConsumerLoop.class);

    /** Follows topics with the given consumer until {@link ConsumerLoop#running()} turns false. */
    @FunctionalInterface
    public interface Body {
        void run(KafkaConsumer<byte[], byte[]> consumer) throws Exception;
    }

    private final String name;
    private final KafkaClients kafka;
    private final Map<String, Object> settings;
    private final CompletableFuture<?> ready;
    private final Body body;
    private volatile boolean running = true;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    /**
     * @param name     the thread's name
     * @param kafka    makes the consumer
     * @param settings consumer settings added to (or replacing) the defaults, e.g. a group.id
     * @param ready    the body starts once this completes (the topics exist)
     */
    public ConsumerLoop(String name, KafkaClients kafka, Map<String, Object> settings, CompletableFuture<?> ready, Body body) {
        this.name = name;
        this.kafka = kafka;
        this.settings = Map.copyOf(settings);
        this.ready = ready;
        this.body = body;
    }

    public boolean running() {
        return running;
    }

    public void start() {
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    private void loop() {
        while (running) {
            try {
                ready.get();
                try (KafkaConsumer<byte[], byte[]> c = kafka.consumer(settings)) {
                    consumer = c;
                    body.run(c);
                } finally {
                    consumer = null;
                }
            } catch (WakeupException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                LOG.warnf("%s: %s; starting over in 2 s", name, e);
                try {
                    TimeUnit.SECONDS.sleep(2);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}
