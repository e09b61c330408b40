package dev.sinkhorn.trainer;

import static dev.sinkhorn.trainer.TrainerClient.TRAINER;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.sinkhorn.service.kafka.CheckpointRecords;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.testing.KafkaTestBroker;
import dev.sinkhorn.testing.KafkaTestResource;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.v1.Checkpoint;
import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * A trainer that (re)starts with versions of a model already on the topic continues after the
 * newest one, and a resumed job starts from that checkpoint.
 */
@QuarkusTest
@RequiresKafka
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(VersionsAfterRestartTest.EarlierRun.class)
class VersionsAfterRestartTest {

    /** A separate profile: the application starts anew after an earlier run left version 7 on the topic. */
    public static class EarlierRun implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(EarlierCheckpoint.class));
        }
    }

    public static class EarlierCheckpoint implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            String bootstrap = KafkaTestBroker.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
                 KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all"),
                         new ByteArraySerializer(), new ByteArraySerializer())) {
                PipelineTopics.ensure(admin, 1, (short) 1, Duration.ofSeconds(30));
                // Version 7 from an earlier trainer (its parameters do not matter for numbering).
                Checkpoint c = CheckpointRecords.withDigest(Checkpoint.newBuilder().setModel("versioned").setVersion(7).setEpoch(3)
                        .setParameters(ByteString.copyFromUtf8("earlier")));
                p.send(new ProducerRecord<>(PipelineTopics.CHECKPOINTS, CheckpointRecords.key("versioned"), c.toByteArray())).get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return Map.of();
        }

        @Override
        public void stop() {
        }
    }

    @Test
    void versionsContinueAfterTheNewestOnTheTopic() {
        TrainingJob first = TRAINER.startTraining(TrainerClient.quick("versioned").setTrainLimit(640).setEpochs(2).build());
        List<TrainingEvent> events = TrainerClient.watchToEnd(first.getJobId(), Duration.ofMinutes(3));
        assertEquals(JobState.SUCCEEDED, events.get(events.size() - 1).getFinished().getState());
        assertEquals(List.of(8L, 9L), events.stream().filter(TrainingEvent::hasCheckpoint)
                .map(e -> e.getCheckpoint().getVersion()).toList());

        // resume = true continues from v9 (epoch 2): its checkpoints are v10 at epoch 3.
        TrainingJob resumed = TRAINER.startTraining(TrainerClient.quick("versioned").setTrainLimit(640).setResume(true).build());
        List<TrainingEvent> more = TrainerClient.watchToEnd(resumed.getJobId(), Duration.ofMinutes(3));
        TrainingEvent published = more.stream().filter(TrainingEvent::hasCheckpoint).findFirst().orElseThrow();
        assertEquals(10, published.getCheckpoint().getVersion());
        assertEquals(3, published.getCheckpoint().getEpoch());
    }
}
