package dev.sinkhorn.trainer;

import static dev.sinkhorn.trainer.TrainerClient.TRAINER;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sinkhorn.service.kafka.CheckpointRecords;
import dev.sinkhorn.service.kafka.KafkaClients;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.service.kafka.WholeTopicReader;
import dev.sinkhorn.testing.KafkaTestBroker;
import dev.sinkhorn.testing.KafkaTestResource;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.v1.Decision;
import dev.sinkhorn.v1.DecisionKind;
import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Retention: with trainer.keep-versions = 2, publishing version n retires version n - 2 with a
 * tombstone under its key, unless the model's newest decision says it ever served. Each version is
 * published under its own key "model/version".
 */
@QuarkusTest
@RequiresKafka
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(RetentionTest.KeepTwo.class)
class RetentionTest {
    public static class KeepTwo implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("trainer.keep-versions", "2", "trainer.final-evaluation-wait", "0S");
        }
    }

    @Test
    void retiresOldVersionsButKeepsEveryOneThatServed() throws Exception {
        KafkaClients kafka = KafkaClients.of(KafkaTestBroker.bootstrapServers());
        try (Admin admin = kafka.admin(); KafkaProducer<byte[], byte[]> p = kafka.producer(Map.of())) {
            PipelineTopics.ensure(admin, 1, (short) 1, Duration.ofSeconds(30));
            // v1 will have served (an inference replica's decision says so before the job runs).
            p.send(new ProducerRecord<>(PipelineTopics.DECISIONS, CheckpointRecords.key("kept"), Decision.newBuilder().setModel("kept")
                    .setVersion(1).setKind(DecisionKind.PROMOTED_BY_POLICY).setServingVersion(1).addServingHistory(1)
                    .addEverServed(1).build().toByteArray())).get();
        }
        TrainingJob job = TRAINER.startTraining(TrainerClient.quick("kept").setTrainLimit(128).setEpochs(5).build());
        List<TrainingEvent> events = TrainerClient.watchToEnd(job.getJobId(), Duration.ofMinutes(3));
        assertEquals(JobState.SUCCEEDED, events.get(events.size() - 1).getFinished().getState());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), events.stream().filter(TrainingEvent::hasCheckpoint)
                .map(e -> e.getCheckpoint().getVersion()).toList());

        List<String> keys = new ArrayList<>();
        List<String> tombstones = new ArrayList<>();
        WholeTopicReader.readToEnd(kafka, PipelineTopics.CHECKPOINTS, Duration.ofSeconds(30), r -> {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (key.startsWith("kept/")) {
                (r.value() == null ? tombstones : keys).add(key);
            }
        });
        assertEquals(List.of("kept/1", "kept/2", "kept/3", "kept/4", "kept/5"), keys);
        // v3 published: v1 ever served, kept. v4: v2 retired. v5: v3 retired.
        assertEquals(List.of("kept/2", "kept/3"), tombstones);
    }
}
