package dev.sinkhorn.service.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The one place Kafka clients are made: every producer, consumer and admin client of the services
 * starts from the same connection settings (bootstrap servers and, where configured, TLS and SASL:
 * every {@code kafka.*} key of the service's configuration) plus the settings of its role.
 *
 * <p>Records are protobuf bytes with UTF-8 keys; the clients (de)serialise byte arrays.
 */
public final class KafkaClients {
    /** Records up to 64 MB: checkpoints of bigger models are a few MB. */
    public static final int MAX_RECORD_BYTES = 64 << 20;

    private final Map<String, Object> connection;

    /** @param connection client settings shared by every client: bootstrap.servers, security.protocol, sasl.*, ssl.* */
    public KafkaClients(Map<String, Object> connection) {
        if (!connection.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException("kafka.bootstrap.servers is not configured");
        }
        this.connection = Map.copyOf(connection);
    }

    /** Plain-text clients of the broker at {@code bootstrapServers} (tests, tools). */
    public static KafkaClients of(String bootstrapServers) {
        return new KafkaClients(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    public String bootstrapServers() {
        return String.valueOf(connection.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    }

    /**
     * A producer that delivers each record exactly once and in order per partition: idempotent,
     * acks from all in-sync replicas; {@code settings} add to or replace these (timeouts, in-flight).
     */
    public KafkaProducer<byte[], byte[]> producer(Map<String, Object> settings) {
        Map<String, Object> config = new HashMap<>(connection);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES);
        config.putAll(settings);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * A consumer that commits nothing and, without a group, reads from the beginning of what it is
     * assigned; {@code settings} add to or replace these (a group.id, the offset reset).
     */
    public KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> settings) {
        return new KafkaConsumer<>(consumerConfig(settings), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    Map<String, Object> consumerConfig(Map<String, Object> settings) {
        Map<String, Object> config = new HashMap<>(connection);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, MAX_RECORD_BYTES);
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, MAX_RECORD_BYTES);
        config.putAll(settings);
        return config;
    }

    /** An admin client with short timeouts (callers retry). */
    public Admin admin() {
        Map<String, Object> config = new HashMap<>(connection);
        config.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        return Admin.create(config);
    }
}
