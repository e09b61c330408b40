package dev.sinkhorn.service.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/** Reads a whole topic once, from its beginning to its end at the time of the call, without a consumer group. */
public final class WholeTopicReader {
    private WholeTopicReader() {
    }

    /**
     * Hands every record of {@code topic}, partition by partition in offset order, to {@code each}.
     *
     * @throws TimeoutException when Kafka does not answer or the reading takes longer than timeout
     */
    public static void readToEnd(KafkaClients kafka, String topic, Duration timeout, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try (KafkaConsumer<byte[], byte[]> c = kafka.consumer(Map.of())) {
            List<TopicPartition> parts = TopicPartitions.of(c, timeout, topic);
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
