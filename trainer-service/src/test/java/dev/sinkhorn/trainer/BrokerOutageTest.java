package dev.sinkhorn.trainer;

import static dev.sinkhorn.trainer.TrainerClient.TRAINER;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sinkhorn.testing.KafkaTestBroker;
import dev.sinkhorn.testing.KafkaTestResource;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.v1.Checkpoint;
import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Kafka goes away in the middle of a job and comes back: training goes on, no checkpoint is lost or doubled. */
@QuarkusTest
@RequiresKafka(restartable = true)
@QuarkusTestResource(KafkaTestResource.class)
class BrokerOutageTest {

    @Test
    void everyEpochsCheckpointArrivesExactlyOnceInOrder() {
        TrainingJob job = TRAINER.startTraining(TrainerClient.quick("outage").setEpochs(4).setTrainLimit(6400).build());
        List<TrainingEvent> before = TrainerClient.watchUntil(job.getJobId(), Duration.ofMinutes(3), TrainingEvent::hasCheckpoint);
        assertEquals(1, before.get(before.size() - 1).getCheckpoint().getEpoch());
        KafkaTestBroker.stop();
        try {
            // Training goes on without Kafka: wait for the last epoch to end.
            List<TrainingEvent> during = TrainerClient.watchUntil(job.getJobId(), Duration.ofMinutes(3),
                    e -> e.hasEpochEnd() && e.getEpochEnd().getEpoch() == 4);
            assertEquals(4, during.get(during.size() - 1).getEpochEnd().getEpoch());
        } finally {
            KafkaTestBroker.restart();
        }
        List<TrainingEvent> all = TrainerClient.watchToEnd(job.getJobId(), Duration.ofMinutes(3));
        TrainingJob end = all.get(all.size() - 1).getFinished();
        assertEquals(JobState.SUCCEEDED, end.getState(), end.getError());

        List<Checkpoint> onTopic = TrainerClient.checkpoints("outage");
        assertEquals(List.of(1, 2, 3, 4), onTopic.stream().map(Checkpoint::getEpoch).toList(), "each epoch once, in order");
        assertEquals(List.of(1L, 2L, 3L, 4L), onTopic.stream().map(Checkpoint::getVersion).toList());
        assertEquals(4, all.stream().filter(TrainingEvent::hasCheckpoint).count());
        assertEquals(4, end.getLatestVersion());
    }
}
