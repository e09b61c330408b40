package dev.sinkhorn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.service.kafka.CheckpointRecords;
import dev.sinkhorn.service.kafka.KafkaClients;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.service.kafka.WholeTopicReader;
import dev.sinkhorn.testing.KafkaTestBroker;
import dev.sinkhorn.v1.Checkpoint;
import dev.sinkhorn.v1.TrainerServiceGrpc;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingSpec;
import dev.sinkhorn.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real gRPC channel to the trainer under test, and the checkpoints on the real broker. */
final class TrainerClient {
    static final ManagedChannel CHANNEL = ManagedChannelBuilder.forAddress("127.0.0.1", 19091).usePlaintext().build();
    static final TrainerServiceGrpc.TrainerServiceBlockingStub TRAINER = TrainerServiceGrpc.newBlockingStub(CHANNEL);

    private TrainerClient() {
    }

    /** A quick job: 1 epoch on the first 3,200 MNIST images at learning rate 1e-3 (seed network). */
    static TrainingSpec.Builder quick(String model) {
        return TrainingSpec.newBuilder().setModel(model).setEpochs(1).setTrainLimit(3200).setLearningRate(1e-3f).setSeed(3);
    }

    /** Every event of a job, from the start, until its `finished` event (the stream then ends). */
    static List<TrainingEvent> watchToEnd(String jobId, Duration timeout) {
        return watchUntil(jobId, timeout, e -> false);
    }

    /**
     * Events from the start until (and including) the first that matches, or the end of the
     * stream; stopping early cancels the watch (the job goes on).
     */
    static List<TrainingEvent> watchUntil(String jobId, Duration timeout, Predicate<TrainingEvent> stop) {
        List<TrainingEvent> events = new ArrayList<>();
        io.grpc.Context.CancellableContext watch = io.grpc.Context.current().withCancellation();
        try {
            watch.run(() -> {
                Iterator<TrainingEvent> it = TRAINER.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .watchTraining(WatchRequest.newBuilder().setJobId(jobId).build());
                while (it.hasNext()) {
                    TrainingEvent e = it.next();
                    events.add(e);
                    if (stop.test(e)) {
                        return;
                    }
                }
            });
        } finally {
            watch.cancel(null);
        }
        return events;
    }

    /** The valid checkpoints of a model on the topic, in log order. */
    static List<Checkpoint> checkpoints(String model) {
        List<Checkpoint> out = new ArrayList<>();
        WholeTopicReader.readToEnd(KafkaClients.of(KafkaTestBroker.bootstrapServers()), PipelineTopics.CHECKPOINTS, Duration.ofSeconds(30), r -> {
            CheckpointRecords.Decoded d = CheckpointRecords.decode(r.key(), r.value());
            if (d.ok() && d.checkpoint().getModel().equals(model)) {
                out.add(d.checkpoint());
            }
        });
        return out;
    }

    static StatusRuntimeException assertStatus(Status.Code code, Runnable call, String... fragments) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        for (String f : fragments) {
            assertTrue(String.valueOf(e.getStatus().getDescription()).contains(f), "'" + e.getStatus().getDescription() + "' lacks '" + f + "'");
        }
        return e;
    }
}
