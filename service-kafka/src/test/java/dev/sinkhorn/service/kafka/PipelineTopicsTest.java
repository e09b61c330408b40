package dev.sinkhorn.service.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.sinkhorn.testing.KafkaTestBroker;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.v1.Checkpoint;
import dev.sinkhorn.v1.ModelSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@RequiresKafka
class PipelineTopicsTest {
    private static String bootstrap;
    private static KafkaClients kafka;

    @BeforeAll
    static void createTopics() throws Exception {
        bootstrap = KafkaTestBroker.bootstrapServers();
        kafka = KafkaClients.of(bootstrap);
        try (Admin admin = kafka.admin()) {
            PipelineTopics.ensure(admin, 1, (short) 1, Duration.ofSeconds(30));
        }
    }

    @Test
    void checkpointsTopicIsCompacted() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, PipelineTopics.CHECKPOINTS);
            Config c = admin.describeConfigs(List.of(r)).all().get().get(r);
            assertEquals("compact", c.get("cleanup.policy").value());
            ConfigResource e = new ConfigResource(ConfigResource.Type.TOPIC, PipelineTopics.EVALUATIONS);
            assertEquals("delete", admin.describeConfigs(List.of(e)).all().get().get(e).get("cleanup.policy").value());
            // Idempotent: a second run changes nothing and does not fail.
            PipelineTopics.ensure(admin, 1, (short) 1, Duration.ofSeconds(10));
        }
    }

    @Test
    void aCheckpointRoundTripsThroughTheBroker() throws Exception {
        Checkpoint sent = Checkpoint.newBuilder().setModel("roundtrip").setVersion(3).setJobId("job-1").setEpoch(2)
                .setSpec(ModelSpec.newBuilder().setTask("jigsaw").setGrid(2).setHiddenChannels(32).setKernelSize(5)
                        .setInChannels(1).setImageSize(28).setTau(0.1f).setNIter(20))
                .setParameters(ByteString.copyFrom(new byte[] {1, 2, 3, 4})).setSha256("ab").setTrainLoss(12.5)
                .setCreatedAtMs(1234).build();
        try (KafkaProducer<byte[], byte[]> p = kafka.producer(Map.of())) {
            p.send(new ProducerRecord<>(PipelineTopics.CHECKPOINTS, "roundtrip".getBytes(StandardCharsets.UTF_8), sent.toByteArray())).get();
        }
        Checkpoint received = null;
        try (KafkaConsumer<byte[], byte[]> c = kafka.consumer(Map.of())) {
            TopicPartition tp = new TopicPartition(PipelineTopics.CHECKPOINTS, 0);
            c.assign(Set.of(tp));
            c.seekToBeginning(Set.of(tp));
            long end = c.endOffsets(Set.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofSeconds(1))) {
                    if ("roundtrip".equals(new String(r.key(), StandardCharsets.UTF_8))) {
                        received = Checkpoint.parseFrom(r.value());
                    }
                }
            }
        }
        assertEquals(sent, received);
        assertTrue(received.getSpec().getGrid() == 2);
    }
}
