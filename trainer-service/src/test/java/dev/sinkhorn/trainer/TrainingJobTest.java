package dev.sinkhorn.trainer;

import static dev.sinkhorn.trainer.TrainerClient.TRAINER;
import static dev.sinkhorn.trainer.TrainerClient.assertStatus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import dev.sinkhorn.core.data.TestData;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.core.training.JigsawEvaluation;
import dev.sinkhorn.service.grpc.ModelSpecs;
import dev.sinkhorn.testing.KafkaTestResource;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.v1.Checkpoint;
import dev.sinkhorn.v1.JobRef;
import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.ListJobsRequest;
import dev.sinkhorn.v1.ModelSpec;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import dev.sinkhorn.v1.TrainingSpec;
import dev.sinkhorn.v1.WatchRequest;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Training jobs through a real gRPC channel, checkpoints on the real broker, real MNIST. */
@QuarkusTest
@RequiresKafka
@QuarkusTestResource(KafkaTestResource.class)
class TrainingJobTest {

    @Test
    void aShortRealRunLearnsAndPublishesALoadableCheckpoint() throws Exception {
        TrainingJob job = TRAINER.startTraining(TrainerClient.quick("quick").setTrainLimit(6400).build());
        assertEquals("quick", job.getModel());
        assertEquals(5, job.getSpec().getSpec().getKernelSize(), "defaults are filled in");
        assertEquals(0.1f, job.getSpec().getSpec().getTau());
        List<TrainingEvent> events = TrainerClient.watchToEnd(job.getJobId(), Duration.ofMinutes(3));

        TrainingEvent last = events.get(events.size() - 1);
        assertEquals(JobState.SUCCEEDED, last.getFinished().getState(), last.getFinished().getError());
        assertEquals(1, last.getFinished().getSpec().getSpec().getInChannels(), "in_channels came from the data set");
        List<Double> losses = events.stream().filter(TrainingEvent::hasProgress).map(e -> e.getProgress().getLoss()).toList();
        assertTrue(losses.size() >= 2, "progress events: " + losses);
        assertTrue(losses.get(losses.size() - 1) < 0.6 * losses.get(0), "the loss falls: " + losses);
        assertTrue(events.stream().anyMatch(e -> e.hasProgress() && e.getProgress().getImagesPerSecond() > 0));
        assertEquals(1, events.stream().filter(TrainingEvent::hasEpochEnd).count());
        TrainingEvent published = events.stream().filter(TrainingEvent::hasCheckpoint).findFirst().orElseThrow();
        assertEquals(1, published.getCheckpoint().getEpoch());

        List<Checkpoint> onTopic = TrainerClient.checkpoints("quick");
        assertEquals(1, onTopic.size());
        Checkpoint c = onTopic.get(0);
        assertEquals(published.getCheckpoint().getVersion(), c.getVersion());
        assertEquals(job.getJobId(), c.getJobId());
        assertEquals("mnist", c.getDataset());
        assertEquals(published.getCheckpoint().getSizeBytes(), c.getParameters().size());
        try (SinkhornModel fresh = SinkhornModel.fromParameters(ModelSpecs.toCore(c.getSpec()), c.getPixelMean(), c.getPixelStd(),
                c.getParameters().toByteArray(), Device.cpu())) {
            assertArrayEquals(c.getParameters().toByteArray(), fresh.parameters(), "the fresh network holds exactly those parameters");
            double tau = JigsawEvaluation.score(fresh, TestData.mnist().test(), 1000, 11).meanKendallTau();
            assertTrue(tau > 0.5, "held-out Kendall tau " + tau + " (chance is 0)");
        }
        // Training shows on /q/metrics: 100 steps of 64 images, the checkpoint, throughput and loss.
        String metrics = io.restassured.RestAssured.given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metric(metrics, "sinkhorn_trainer_steps_total") >= 100, metrics);
        assertTrue(metric(metrics, "sinkhorn_trainer_images_total") >= 6400);
        assertTrue(metric(metrics, "sinkhorn_checkpoints_published_total") >= 1);
        assertTrue(metric(metrics, "sinkhorn_trainer_images_per_second") > 0);
        assertTrue(metric(metrics, "sinkhorn_trainer_loss") > 0);
    }

    @Test
    void aCosineScheduleMirroredImagesAndEdgeAttentionGoThroughAJob() throws Exception {
        TrainingJob job = TRAINER.startTraining(TrainerClient.quick("scheduled").setTrainLimit(1280).setEpochs(2)
                .setLearningRateSchedule("cosine").setAugment("mirror")
                .setSpec(ModelSpec.newBuilder().setArchitecture("context").setWidth(16).setEdgeAttention(true)).build());
        assertEquals("cosine", job.getSpec().getLearningRateSchedule());
        assertEquals("mirror", job.getSpec().getAugment());
        List<TrainingEvent> events = TrainerClient.watchToEnd(job.getJobId(), Duration.ofMinutes(3));
        TrainingJob end = events.get(events.size() - 1).getFinished();
        assertEquals(JobState.SUCCEEDED, end.getState(), end.getError());
        assertEquals(2, events.stream().filter(TrainingEvent::hasEpochEnd).count());
        List<Checkpoint> checkpoints = TrainerClient.checkpoints("scheduled");
        assertEquals(2, checkpoints.size());
        // The checkpoint says edge attention, and its parameters load only as that network.
        Checkpoint last = checkpoints.get(1);
        assertTrue(last.getSpec().getEdgeAttention(), last.getSpec().toString());
        dev.sinkhorn.core.model.ModelSpec spec = ModelSpecs.toCore(last.getSpec());
        try (SinkhornModel model = SinkhornModel.fromParameters(spec, last.getPixelMean(), last.getPixelStd(),
                last.getParameters().toByteArray(), Device.cpu())) {
            assertTrue(model.network().getParameters().keys().stream().anyMatch(k -> k.endsWith("edge_weight")));
        }
        assertThrows(MalformedModelException.class, () -> SinkhornModel.fromParameters(spec.withEdgeAttention(false),
                last.getPixelMean(), last.getPixelStd(), last.getParameters().toByteArray(), Device.cpu()));
        // Unset, they are filled from the preset: the seed's constant rate and no augmentation.
        TrainingJob plain = TRAINER.startTraining(TrainerClient.quick("plain").setTrainLimit(640).build());
        assertEquals("constant", plain.getSpec().getLearningRateSchedule());
        assertEquals("none", plain.getSpec().getAugment());
        TrainingJob plainEnd = TrainerClient.watchToEnd(plain.getJobId(), Duration.ofMinutes(3)).stream()
                .filter(TrainingEvent::hasFinished).findFirst().orElseThrow().getFinished();
        assertEquals(JobState.SUCCEEDED, plainEnd.getState(), plainEnd.getError());
    }

    private static double metric(String metrics, String name) {
        return dev.sinkhorn.testing.PrometheusText.sum(metrics, name);
    }

    @Test
    void validatesTheSpecFieldByField() {
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> TRAINER.startTraining(TrainingSpec.newBuilder().build()),
                "model: '' must match");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> TRAINER.startTraining(TrainingSpec.newBuilder().setModel("m")
                        .setDataset("cifar").setLearningRate(-1).setDevice("tpu").setPreset("slow")
                        .setSpec(ModelSpec.newBuilder().setGrid(9).setKernelSize(4).setTask("ranking")).build()),
                "dataset: unknown data set 'cifar'", "learning_rate: must be in (0, 1]", "device: must be",
                "preset: 'slow' is unknown", "spec.grid: must be 2 to 7, got 9", "spec.kernel_size: must be odd", "spec.task:");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> TRAINER.startTraining(TrainingSpec.newBuilder().setModel("m")
                .setEpochs(100000).setBatchSize(100000).setNSamples(1000).build()), "epochs: must be 1 to 1000",
                "batch_size: must be 1 to 4096", "n_samples: must be 1 to 64");
        // The sorting task's fields, and the other task's, are named.
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> TRAINER.startTraining(TrainingSpec.newBuilder().setModel("m")
                        .setDataset("mnist").setPreset("fast").setTrainLimit(5)
                        .setSpec(ModelSpec.newBuilder().setTask("sorting").setItems(1)).build()),
                "dataset: 'mnist' is not a data set of task \"sorting\"", "steps: must be 1 to 1000000", "train_limit: only for task",
                "preset: \"fast\" is a jigsaw recipe", "spec.items: must be 2 to 1000");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> TRAINER.startTraining(TrainingSpec.newBuilder().setModel("m")
                .setSpec(ModelSpec.newBuilder().setEdgeAttention(true)).build()),
                "spec.layers/heads/width/edge_attention: only for architecture \"context\"");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> TRAINER.startTraining(TrainingSpec.newBuilder().setModel("m")
                .setDataset("uniform:1:0").setSpec(ModelSpec.newBuilder().setTask("sorting")).build()), "dataset: 'uniform:1:0': need finite low < high");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> TRAINER.startTraining(TrainingSpec.newBuilder().setModel("m").setSteps(10).build()),
                "steps: only for task \"sorting\"");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> TRAINER.startTraining(TrainingSpec.newBuilder().setModel("m")
                .setLearningRateSchedule("linear").setAugment("rotate").build()),
                "learning_rate_schedule: must be \"constant\" or \"cosine\", got 'linear'", "augment: must be \"none\" or \"mirror\", got 'rotate'");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> TRAINER.startTraining(TrainingSpec.newBuilder().setModel("m").setAugment("mirror")
                .setSpec(ModelSpec.newBuilder().setTask("sorting")).build()), "augment: \"mirror\" is for task \"jigsaw\"");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> TRAINER.startTraining(TrainingSpec.newBuilder().setModel("bad name!").build()),
                "model: 'bad name!'");
        assertStatus(Status.Code.FAILED_PRECONDITION, () -> TRAINER.startTraining(TrainingSpec.newBuilder().setModel("m")
                .setDevice("gpu").build()), "DJL finds no GPU");
        assertStatus(Status.Code.NOT_FOUND, () -> TRAINER.cancelTraining(JobRef.newBuilder().setJobId("nope").build()), "no training job 'nope'");
        assertStatus(Status.Code.NOT_FOUND, () -> TRAINER.watchTraining(WatchRequest.newBuilder().setJobId("nope").build()).hasNext(),
                "no training job 'nope'");
    }

    @Test
    void cancelStopsAJobAtItsNextStepAndSaysSo() {
        TrainingJob job = TRAINER.startTraining(TrainingSpec.newBuilder().setModel("cancelled").setEpochs(50).setSeed(1).build());
        List<TrainingEvent> seen = TrainerClient.watchUntil(job.getJobId(), Duration.ofMinutes(3), TrainingEvent::hasProgress);
        assertTrue(seen.get(seen.size() - 1).hasProgress(), "training started");
        TrainingJob cancelled = TRAINER.cancelTraining(JobRef.newBuilder().setJobId(job.getJobId()).build());
        assertEquals(JobState.CANCELLED, cancelled.getState());
        List<TrainingEvent> all = TrainerClient.watchToEnd(job.getJobId(), Duration.ofMinutes(1));
        TrainingJob end = all.get(all.size() - 1).getFinished();
        assertEquals(JobState.CANCELLED, end.getState());
        assertTrue(end.getError().contains("cancelled"), end.getError());
        // What was trained before the cancellation is kept: one checkpoint of the partial first epoch.
        assertEquals(1, TrainerClient.checkpoints("cancelled").size());
        assertTrue(TRAINER.listJobs(ListJobsRequest.getDefaultInstance()).getJobsList().stream()
                .anyMatch(j -> j.getJobId().equals(job.getJobId()) && j.getState() == JobState.CANCELLED));
    }
}
