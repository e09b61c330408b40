package dev.sinkhorn.service;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a whole topic once, from its beginning to its end at the time of the call, without a consumer group. */
public final class TopicReader {
    private TopicReader() {
    }

    /** Consumer settings for our records (checkpoints are up to 64 MB) without a group. */
    public static Map<String, Object> consumerConfig(String bootstrapServers) {
        return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 << 20,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20);
    }

    /**
     * Hands every record of {@code topic}, partition by partition in offset order, to {@code each}.
     *
     * @throws TimeoutException when Kafka does not answer or the reading takes longer than timeout
     */
    public static void readToEnd(String bootstrapServers, String topic, Duration timeout,
                                 Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerConfig(bootstrapServers),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp, timeout) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("reading " + topic + " took longer than " + timeout);
                }
                c.poll(Duration.ofMillis(500)).forEach(each);
            }
        }
    }
}
