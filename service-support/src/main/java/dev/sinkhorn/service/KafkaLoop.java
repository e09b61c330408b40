package dev.sinkhorn.service;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A consumer on its own thread that survives Kafka going away: once the topics exist it runs the
 * body with a fresh consumer; when the body fails it starts over 2 s later with a new one.
 * {@link #stop()} wakes the consumer up and ends the thread.
 */
public final class KafkaLoop {
    /** Follows topics with the given consumer until {@link KafkaLoop#running()} turns false. */
    @FunctionalInterface
    public interface Body {
        void run(KafkaConsumer<byte[], byte[]> consumer) throws Exception;
    }

    private final String name;
    private final Map<String, Object> config;
    private final CompletableFuture<?> ready;
    private final Consumer<String> warn;
    private final Body body;
    private volatile boolean running = true;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    public KafkaLoop(String name, String bootstrapServers, CompletableFuture<?> ready, Consumer<String> warn, Body body) {
        this(name, bootstrapServers, Map.of(), ready, warn, body);
    }

    /** As above, with consumer settings added to (or replacing) the defaults, e.g. a group.id. */
    public KafkaLoop(String name, String bootstrapServers, Map<String, Object> settings, CompletableFuture<?> ready,
                     Consumer<String> warn, Body body) {
        this.name = name;
        Map<String, Object> config = new HashMap<>(TopicReader.consumerConfig(bootstrapServers));
        config.putAll(settings);
        this.config = Map.copyOf(config);
        this.ready = ready;
        this.warn = warn;
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
                try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
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
                warn.accept(name + ": " + e + "; starting over in 2 s");
                try {
                    TimeUnit.SECONDS.sleep(2);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}
