package dev.sinkhorn.service.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Every partition of some topics, for a consumer that assigns itself all of them (no group). */
public final class TopicPartitions {
    private TopicPartitions() {
    }

    /** The partitions of the topics, topic by topic (waits up to {@code timeout} per topic for its metadata). */
    public static List<TopicPartition> of(KafkaConsumer<?, ?> consumer, Duration timeout, String... topics) {
        List<TopicPartition> parts = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, timeout).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
        }
        return parts;
    }
}
