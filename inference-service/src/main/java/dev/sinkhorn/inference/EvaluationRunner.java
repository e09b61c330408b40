package dev.sinkhorn.inference;

import dev.sinkhorn.core.data.Dataset;
import dev.sinkhorn.core.data.DatasetResolver;
import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.jigsaw.Jigsaw;
import dev.sinkhorn.core.jigsaw.JigsawBatch;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.service.Checkpoints;
import dev.sinkhorn.service.ProtoArrays;
import dev.sinkhorn.service.SingleResponse;
import dev.sinkhorn.service.Topics;
import dev.sinkhorn.v1.Evaluation;
import dev.sinkhorn.v1.MatchAndScoreRequest;
import dev.sinkhorn.v1.MatcherServiceGrpc;
import dev.sinkhorn.v1.Permutation;
import dev.sinkhorn.v1.ScoreResponse;
import dev.sinkhorn.v1.Tensor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Judges every newly loaded checkpoint version: scrambles the test split of its data set (a fixed
 * number of images, fixed seed, so versions are comparable), runs the model, streams log_alpha,
 * true permutations and pieces to MatcherService.MatchAndScore, and publishes the Evaluation to
 * sinkhorn.evaluations. Jobs run one at a time, in order. While the matcher (or Kafka) is away a
 * job waits and retries with backoff; it is not dropped.
 */
@ApplicationScoped
public class EvaluationRunner {
    private static final Logger LOG = Logger.getLogger(EvaluationRunner.class);
    private static final long MAX_BACKOFF_MS = 30_000;

    @Inject
    InferenceConfig config;
    @Inject
    MeterRegistry metrics;
    @Inject
    ComputeThread compute;
    @Inject
    ModelRegistry registry;
    @GrpcClient("matcher")
    io.grpc.Channel matcherChannel; // the async stub (for the client stream) is not injectable itself
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "evaluation");
        t.setDaemon(true);
        return t;
    });
    private final DatasetResolver datasets = DatasetResolver.fromEnvironment(LOG::info);
    private KafkaProducer<byte[], byte[]> producer;
    private volatile boolean stopping;
    /** Jobs queued or running ("model vN"): the same version is never evaluated twice at once. */
    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    @PostConstruct
    void init() {
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        worker.shutdownNow();
        producer.close(java.time.Duration.ofSeconds(5));
    }

    /**
     * Queues the evaluation of exactly this version, unless it is queued already; the job holds the
     * model until it is done.
     */
    void submit(String model, long version) {
        String job = model + " v" + version;
        if (!pending.add(job)) {
            return;
        }
        ModelRegistry.Lease lease;
        try {
            lease = registry.acquire(model, version);
        } catch (StatusRuntimeException replaced) {
            pending.remove(job);
            return; // already replaced by a newer version, which gets its own evaluation
        }
        metrics.counter("sinkhorn.evaluations.queued").increment();
        worker.submit(() -> {
            try (lease) {
                runUntilDone(lease.model());
            } finally {
                pending.remove(job);
            }
        });
    }

    private void runUntilDone(LoadedModel m) {
        long backoff = 1000;
        int otherFailures = 0;
        while (!stopping) {
            try {
                Evaluation e = evaluate(m);
                publish(e);
                registry.recordEvaluation(e); // at once, not when the follower reads it back: no second run meanwhile
                metrics.counter("sinkhorn.evaluations.published").increment();
                LOG.infof("evaluated %s v%d on %d %s test images: mean Kendall tau %.4f, prop_wrong %.4f, "
                                + "prop_any_wrong %.4f (%.1f s)", e.getModel(), e.getVersion(), e.getCount(), e.getDataset(),
                        e.getMeanKendallTau(), e.getPropWrong(), e.getPropAnyWrong(), e.getSeconds());
                return;
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED && ++otherFailures > 3) {
                    LOG.errorf("giving up on evaluating %s v%d: %s", m.name(), m.version(), e.getStatus());
                    metrics.counter("sinkhorn.evaluations.failed").increment();
                    return;
                }
                LOG.warnf("evaluating %s v%d: matcher not usable (%s); retrying in %d ms", m.name(), m.version(),
                        e.getStatus(), backoff);
            } catch (IllegalArgumentException e) {
                LOG.errorf("cannot evaluate %s v%d: %s", m.name(), m.version(), e.getMessage());
                metrics.counter("sinkhorn.evaluations.failed").increment();
                return;
            } catch (Exception e) {
                LOG.warnf("evaluating %s v%d failed (%s); retrying in %d ms", m.name(), m.version(), e, backoff);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(backoff);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
    }

    Evaluation evaluate(LoadedModel m) throws Exception {
        long start = System.nanoTime();
        String datasetName = m.checkpoint().getDataset().isEmpty() ? DatasetResolver.MNIST : m.checkpoint().getDataset();
        Dataset dataset = datasets.load(datasetName);
        ImageSet test = dataset.test();
        SinkhornModel model = m.model();
        ModelSpec spec = model.spec();
        if (test.channels() != spec.inChannels() || test.height() != spec.imageSize() || test.width() != spec.imageSize()) {
            throw new IllegalArgumentException(datasetName + " test images are " + test.channels() + "x" + test.height() + "x"
                    + test.width() + " but the model expects " + spec.inChannels() + "x" + spec.imageSize() + "x" + spec.imageSize());
        }
        int n = Math.min(config.evalLimit(), test.count());
        Jigsaw jigsaw = new Jigsaw(spec.grid());
        SplittableRandom rng = new SplittableRandom(config.evalSeed());
        SingleResponse<ScoreResponse> response = new SingleResponse<>();
        CompletableFuture<ScoreResponse> result = response.future();
        StreamObserver<MatchAndScoreRequest> stream = MatcherServiceGrpc.newStub(matcherChannel)
                .withDeadlineAfter(config.matcherDeadline().toMillis(), TimeUnit.MILLISECONDS)
                .matchAndScore(response);
        try {
            float[] images = new float[config.evalBatch() * test.imageSize()];
            int[] indices = new int[config.evalBatch()];
            for (int from = 0; from < n && !result.isDone(); from += config.evalBatch()) {
                int b = Math.min(config.evalBatch(), n - from);
                for (int k = 0; k < b; k++) {
                    indices[k] = from + k;
                }
                test.copyUnitPixels(indices, b, images);
                JigsawBatch puzzles = jigsaw.scramble(java.util.Arrays.copyOf(images, b * test.imageSize()), b,
                        test.channels(), test.height(), test.width(), rng);
                float[] logAlpha = compute.run(() -> model.logAlpha(puzzles.scrambledPieces(), b));
                stream.onNext(request(puzzles, logAlpha));
            }
            stream.onCompleted();
        } catch (RuntimeException e) {
            stream.onError(e);
            throw e;
        }
        ScoreResponse s;
        try {
            s = result.get(config.matcherDeadline().toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof StatusRuntimeException sre ? sre : e;
        }
        return Evaluation.newBuilder().setModel(m.name()).setVersion(m.version()).setDataset(datasetName)
                .setCount(s.getCount()).setMeanKendallTau(s.getMeanKendallTau()).setPropWrong(s.getPropWrong())
                .setPropAnyWrong(s.getPropAnyWrong()).setL1(s.getL1()).setL2(s.getL2())
                .setEvaluatedAtMs(System.currentTimeMillis()).setGrid(spec.grid())
                .setSeconds((System.nanoTime() - start) / 1e9).build();
    }

    private static MatchAndScoreRequest request(JigsawBatch puzzles, float[] logAlpha) {
        int b = puzzles.batch();
        int p = puzzles.pieces();
        MatchAndScoreRequest.Builder req = MatchAndScoreRequest.newBuilder().setMatrices(ProtoArrays.matrixBatch(b, p, p, logAlpha));
        for (int[] perm : puzzles.permutations()) {
            Permutation.Builder pb = Permutation.newBuilder();
            for (int i : perm) {
                pb.addIndex(i);
            }
            req.addTruth(pb);
        }
        Tensor.Builder items = Tensor.newBuilder().addShape(b).addShape(p).addShape(puzzles.pieceSize());
        for (float v : puzzles.scrambledPieces()) {
            items.addValues(v);
        }
        return req.setItems(items).build();
    }

    private void publish(Evaluation e) throws Exception {
        producer.send(new ProducerRecord<>(Topics.EVALUATIONS, Checkpoints.key(e.getModel()), e.toByteArray()))
                .get(130, TimeUnit.SECONDS);
    }
}
