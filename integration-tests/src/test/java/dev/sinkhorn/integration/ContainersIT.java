package dev.sinkhorn.integration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.data.TestData;
import dev.sinkhorn.core.jigsaw.Jigsaw;
import dev.sinkhorn.core.data.ScrambledBatch;
import dev.sinkhorn.core.matching.LinearAssignmentSolver;
import dev.sinkhorn.core.matching.Matrices;
import dev.sinkhorn.testing.Containers;
import dev.sinkhorn.testing.RequiresImages;
import dev.sinkhorn.v1.InferenceServiceGrpc;
import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.ListModelsRequest;
import dev.sinkhorn.v1.ModelInfo;
import dev.sinkhorn.v1.PredictRequest;
import dev.sinkhorn.v1.PredictResponse;
import dev.sinkhorn.v1.Tensor;
import dev.sinkhorn.v1.TrainerServiceGrpc;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.VersionState;
import dev.sinkhorn.v1.TrainingJob;
import dev.sinkhorn.v1.TrainingSpec;
import dev.sinkhorn.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The whole pipeline on containers only, as deploy/containers/build makes them: Kafka and the three
 * services on one Docker network, each service with a read-only root file system, user 185 and a
 * memory limit, configured only through environment variables. A short training from the host,
 * its checkpoints loaded and evaluated inside, Predict(hard) answering correctly from the host;
 * then the inference container is killed, started again, and serves the newest version once ready.
 */
@RequiresImages({"kafka", "matcher-service", "inference-service", "trainer-service"})
class ContainersIT {
    private static final Duration STARTUP = Duration.ofMinutes(3);
    private static Network network;
    private static GenericContainer<?> kafka;
    private static GenericContainer<?> matcher;
    private static GenericContainer<?> inference;
    private static GenericContainer<?> trainer;
    private static final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeAll
    static void startThePipeline() {
        network = Network.newNetwork();
        kafka = new GenericContainer<>(Containers.image("kafka")).withNetwork(network).withNetworkAliases("kafka")
                .withEnv("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://kafka:9092")
                .waitingFor(Wait.forLogMessage(".*Transitioning from RECOVERY to RUNNING.*", 1).withStartupTimeout(STARTUP));
        kafka.start();
        matcher = service("matcher-service", 9093, 8083, Map.of());
        matcher.start();
        inference = service("inference-service", 9092, 8082, Map.of("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                "QUARKUS_GRPC_CLIENTS_MATCHER_HOST", "matcher", "INFERENCE_EVAL_LIMIT", "1000"));
        trainer = service("trainer-service", 9091, 8081, Map.of("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                "TRAINER_FINAL_EVALUATION_WAIT", "120S"));
        inference.start();
        trainer.start();
    }

    /** A service container as Kubernetes runs it: read-only root, writable /tmp, 2 GiB, 2 CPUs. */
    private static GenericContainer<?> service(String image, int grpc, int http, Map<String, String> env) {
        return new GenericContainer<>(Containers.image(image)).withNetwork(network)
                .withNetworkAliases(image.replace("-service", "")).withExposedPorts(grpc, http).withEnv(env)
                .withTmpFs(Map.of("/tmp", "rw,exec,size=1g"))
                .withCreateContainerCmdModifier(c -> c.getHostConfig().withReadonlyRootfs(true)
                        .withMemory(2L << 30).withNanoCPUs(2_000_000_000L))
                .waitingFor(Wait.forHttp("/q/health/ready").forPort(http).withStartupTimeout(STARTUP));
    }

    @AfterAll
    static void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        for (GenericContainer<?> c : new GenericContainer<?>[] {trainer, inference, matcher, kafka}) {
            if (c != null) {
                c.stop();
            }
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    void trainsEvaluatesAndPredictsInContainersAndSurvivesAnInferenceRestart() throws Exception {
        TrainerServiceGrpc.TrainerServiceBlockingStub trainerStub =
                TrainerServiceGrpc.newBlockingStub(channel(trainer.getHost(), trainer.getMappedPort(9091)));
        TrainingJob job = trainerStub.startTraining(TrainingSpec.newBuilder().setModel("boxed").setEpochs(2).setTrainLimit(6400)
                .setLearningRate(1e-3f).setSeed(3).build());
        TrainingJob finished = null;
        Iterator<TrainingEvent> events = trainerStub.withDeadlineAfter(10, TimeUnit.MINUTES)
                .watchTraining(WatchRequest.newBuilder().setJobId(job.getJobId()).build());
        while (events.hasNext()) {
            TrainingEvent e = events.next();
            if (e.hasFinished()) {
                finished = e.getFinished();
            }
        }
        assertEquals(JobState.SUCCEEDED, finished.getState(), finished.getError());
        assertEquals(2, finished.getLatestVersion(), "a fresh broker: versions 1 and 2");

        InferenceServiceGrpc.InferenceServiceBlockingStub before = inferenceStub();
        ModelInfo evaluated = awaitModel(before, 2, true);
        assertTrue(evaluated.getLastEvaluation().getMeanKendallTau() > 0.8,
                "2 epochs on 6,400 images: " + evaluated.getLastEvaluation());
        assertPredictsCorrectly(before, 2);

        // Kill the inference container (no clean shutdown) and start the same container again.
        DockerClient docker = DockerClientFactory.instance().client();
        docker.killContainerCmd(inference.getContainerId()).exec();
        docker.startContainerCmd(inference.getContainerId()).exec();
        InferenceServiceGrpc.InferenceServiceBlockingStub after = inferenceStub();
        ModelInfo reloaded = awaitModel(after, 2, false);
        assertEquals(evaluated.getVersion(), reloaded.getVersion(), "the restarted replica serves what it served before");
        assertPredictsCorrectly(after, 2);
    }

    @Test
    void aServiceGivenABadSettingExitsNamingTheVariable() throws Exception {
        DockerClient docker = DockerClientFactory.instance().client();
        String id = docker.createContainerCmd(Containers.image("matcher-service").asCanonicalNameString())
                .withEnv("QUARKUS_GRPC_SERVER_PORT=ninety").exec().getId();
        try {
            docker.startContainerCmd(id).exec();
            int exit = docker.waitContainerCmd(id).start().awaitStatusCode(60, TimeUnit.SECONDS);
            StringBuilder logs = new StringBuilder();
            docker.logContainerCmd(id).withStdOut(true).withStdErr(true).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    logs.append(new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                }
            }).awaitCompletion(30, TimeUnit.SECONDS);
            assertEquals(2, exit, logs.toString());
            assertTrue(logs.toString().contains("QUARKUS_GRPC_SERVER_PORT='ninety' is not a port number"), logs.toString());
        } finally {
            docker.removeContainerCmd(id).withForce(true).exec();
        }
    }

    /** The inference container's gRPC stub on its current host port (a restart may publish it on another one). */
    private static InferenceServiceGrpc.InferenceServiceBlockingStub inferenceStub() throws InterruptedException {
        int grpc = hostPort(inference, 9092);
        int http = hostPort(inference, 8082);
        awaitReady(http);
        return InferenceServiceGrpc.newBlockingStub(channel(inference.getHost(), grpc)).withDeadlineAfter(2, TimeUnit.MINUTES);
    }

    private static int hostPort(GenericContainer<?> c, int port) {
        Ports.Binding[] b = DockerClientFactory.instance().client().inspectContainerCmd(c.getContainerId()).exec()
                .getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(port));
        return Integer.parseInt(b[0].getHostPortSpec());
    }

    private static void awaitReady(int httpPort) throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://localhost:" + httpPort + "/q/health/ready").toURL()
                        .openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(2000);
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(250); // polling a container's readiness endpoint, not synchronising threads
        }
        throw new AssertionError("not ready within " + STARTUP);
    }

    /**
     * Polls ListModels until the model's newest version is that one (evaluated and decided on, if
     * asked: the policy promotes it, or keeps v1 when v2 came out worse).
     */
    private static ModelInfo awaitModel(InferenceServiceGrpc.InferenceServiceBlockingStub stub, long version, boolean evaluated)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            Optional<ModelInfo> m = stub.listModels(ListModelsRequest.getDefaultInstance()).getModelsList().stream()
                    .filter(x -> x.getName().equals("boxed")).findFirst();
            if (m.isPresent() && m.get().getNewestVersion() == version && m.get().getVersion() > 0
                    && (!evaluated || m.get().getLastEvaluation().getVersion() == version && decided(m.get(), version))) {
                return m.get();
            }
            TimeUnit.MILLISECONDS.sleep(500); // polling a remote service for a result
        }
        throw new AssertionError("boxed v" + version + (evaluated ? " evaluated" : "") + " not served within 5 minutes");
    }

    private static boolean decided(ModelInfo m, long version) {
        return m.getVersionsList().stream().anyMatch(v -> v.getVersion() == version && v.getState() != VersionState.CANDIDATE);
    }

    /** Predict(hard) on 64 test digits: the matcher's assignments are the exact optimum of the answered log_alpha, and mostly right. */
    private static void assertPredictsCorrectly(InferenceServiceGrpc.InferenceServiceBlockingStub stub, long version) {
        ImageSet test = TestData.mnist().test();
        int n = 64;
        int[] idx = new int[n];
        for (int k = 0; k < n; k++) {
            idx[k] = k;
        }
        float[] pixels = new float[n * test.imageSize()];
        test.copyUnitPixels(idx, n, pixels);
        ScrambledBatch puzzles = new Jigsaw(2).scramble(pixels, n, 1, 28, 28, new SplittableRandom(11));
        Tensor.Builder t = Tensor.newBuilder().addShape(n).addShape(4).addShape(1).addShape(14).addShape(14);
        for (float v : puzzles.scrambledPieces()) {
            t.addValues(v);
        }
        PredictResponse r = stub.predict(PredictRequest.newBuilder().setModel("boxed").setVersion(version).setPieces(t).setHard(true)
                .build());
        assertEquals(version, r.getVersion());
        float[] logAlpha = new float[n * 16];
        for (int k = 0; k < logAlpha.length; k++) {
            logAlpha[k] = r.getLogAlpha().getValues(k);
        }
        Matrices m = new Matrices(n, 4, 4, logAlpha);
        LinearAssignmentSolver solver = new LinearAssignmentSolver();
        int right = 0;
        for (int k = 0; k < n; k++) {
            int[] hard = r.getAssignments(k).getIndexList().stream().mapToInt(Integer::intValue).toArray();
            assertArrayEquals(solver.solve(m.problem(k, false)).rowToCol(), hard, "puzzle " + k + ": the exact assignment");
            if (java.util.Arrays.equals(hard, puzzles.permutations()[k])) {
                right++;
            }
        }
        assertTrue(right >= 0.8 * n, right + " of " + n + " puzzles solved");
    }

    private static ManagedChannel channel(String host, int port) {
        ManagedChannel c = ManagedChannelBuilder.forAddress(host, port).usePlaintext().maxInboundMessageSize(64 << 20).build();
        channels.add(c);
        return c;
    }
}
