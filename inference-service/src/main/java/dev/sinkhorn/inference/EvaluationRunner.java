package dev.sinkhorn.inference;

import dev.sinkhorn.core.data.DatasetResolver;
import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.data.TestSet;
import dev.sinkhorn.core.errors.DependencyUnavailableException;
import dev.sinkhorn.core.errors.InvalidInputException;
import dev.sinkhorn.core.data.ScrambledBatch;
import dev.sinkhorn.core.jigsaw.TestPuzzles;
import dev.sinkhorn.core.sorting.TestLists;
import dev.sinkhorn.core.sorting.UniformRange;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.service.grpc.ProtoArrays;
import dev.sinkhorn.service.kafka.CheckpointRecords;
import dev.sinkhorn.service.kafka.KafkaClients;
import dev.sinkhorn.service.kafka.KafkaTracing;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.v1.Evaluation;
import dev.sinkhorn.v1.MatchAndScoreRequest;
import dev.sinkhorn.v1.Permutation;
import dev.sinkhorn.v1.ScoreResponse;
import dev.sinkhorn.v1.Tensor;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.context.Context;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * Evaluates the newest version of a model when it arrives: scrambles the test split of its data set (a fixed
 * number of images, fixed seed, so versions are comparable; a sorting model: fixed fresh lists), runs the model, streams log_alpha,
 * true permutations and pieces to MatcherService.MatchAndScore, and publishes the Evaluation to
 * sinkhorn.evaluations, then asks the {@link Lifecycle} to decide on it. A version that a newer one
 * overtook while it waited is skipped (it stays a candidate). Jobs run one at a time, in order. While the matcher (or Kafka) is away a
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
    @Inject
    MatcherClient matcher;
    @Inject
    KafkaClients kafka;
    @Inject
    KafkaTracing tracing;
    @Inject
    Lifecycle lifecycle;

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
        producer = kafka.producer(Map.of(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000));
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        worker.shutdownNow();
        producer.close(Duration.ofSeconds(5));
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
        Optional<ModelRegistry.Lease> leased = registry.acquireIfLoaded(model, version);
        if (leased.isEmpty()) {
            pending.remove(job);
            return; // already replaced by a newer version, which gets its own evaluation
        }
        ModelRegistry.Lease lease = leased.get();
        metrics.counter("sinkhorn.evaluations.queued").increment();
        // The evaluation and its Evaluation record continue the trace of the checkpoint that asked for it.
        worker.submit(Context.current().wrap(() -> {
            try (lease) {
                if (registry.newestVersion(model) > version) {
                    return; // overtaken while queued: the newer version gets the evaluation
                }
                runUntilDone(lease.model());
            } finally {
                pending.remove(job);
            }
        }));
    }

    private void runUntilDone(LoadedModel m) {
        long backoff = 1000;
        int rejections = 0;
        while (!stopping) {
            try {
                Evaluation e = evaluate(m);
                publish(e);
                registry.recordEvaluation(e); // at once, not when the follower reads it back: no second run meanwhile
                metrics.counter("sinkhorn.evaluations.published").increment();
                LOG.infof("evaluated %s v%d on %d %s test images: mean Kendall tau %.4f, prop_wrong %.4f, "
                                + "prop_any_wrong %.4f (%.1f s)", e.getModel(), e.getVersion(), e.getCount(), e.getDataset(),
                        e.getMeanKendallTau(), e.getPropWrong(), e.getPropAnyWrong(), e.getSeconds());
                try {
                    lifecycle.judge(e.getModel(), e.getVersion());
                } catch (RuntimeException notDecided) { // Kafka away: decided at the next assignment or restart
                    LOG.warnf("could not decide on %s v%d yet: %s", m.name(), m.version(), notDecided.getMessage());
                }
                return;
            } catch (DependencyUnavailableException e) {
                LOG.warnf("evaluating %s v%d: %s; retrying in %d ms", m.name(), m.version(), e.getMessage(), backoff);
            } catch (InvalidInputException e) {
                LOG.errorf("cannot evaluate %s v%d: %s", m.name(), m.version(), e.getMessage());
                metrics.counter("sinkhorn.evaluations.failed").increment();
                return;
            } catch (MatcherClient.RejectedException e) {
                if (++rejections > 3) {
                    LOG.errorf("giving up on evaluating %s v%d: %s", m.name(), m.version(), e.getMessage());
                    metrics.counter("sinkhorn.evaluations.failed").increment();
                    return;
                }
                LOG.warnf("evaluating %s v%d: %s; retrying in %d ms", m.name(), m.version(), e.getMessage(), backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) { // e.g. Kafka not taking the record yet: nothing is dropped
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

    Evaluation evaluate(LoadedModel m) throws InterruptedException {
        long start = System.nanoTime();
        String datasetName = m.checkpoint().getDataset().isEmpty() ? DatasetResolver.MNIST : m.checkpoint().getDataset();
        SinkhornModel model = m.model();
        ModelSpec spec = model.spec();
        TestSet tests = testSet(spec, datasetName);
        MatcherClient.Scoring scoring = matcher.scoring();
        try {
            tests.forEachBatch(config.evalBatch(), batch -> {
                float[] logAlpha = compute.run(() -> model.logAlpha(batch.scrambledPieces(), batch.batch()));
                scoring.send(request(batch, logAlpha));
            }, scoring::answered);
        } catch (RuntimeException e) {
            scoring.abort(e);
            throw e;
        }
        ScoreResponse s = scoring.finish();
        return Evaluation.newBuilder().setModel(m.name()).setVersion(m.version()).setDataset(datasetName)
                .setCount(s.getCount()).setMeanKendallTau(s.getMeanKendallTau()).setPropWrong(s.getPropWrong())
                .setPropAnyWrong(s.getPropAnyWrong()).setL1(s.getL1()).setL2(s.getL2()).setInterchangeable(s.getInterchangeable())
                .setEvaluatedAtMs(System.currentTimeMillis()).setGrid(spec.grid()).setItems(spec.size())
                .setSeconds((System.nanoTime() - start) / 1e9).build();
    }

    /**
     * Jigsaw: the first eval-limit images of the test split, scrambled with eval-seed. Sorting:
     * eval-lists fresh lists of the model's length from its training range, drawn with eval-seed.
     */
    private TestSet testSet(ModelSpec spec, String datasetName) {
        if (spec.isSorting()) {
            return new TestLists(config.evalLists(), spec.items(), UniformRange.parse(datasetName), config.evalSeed());
        }
        ImageSet test = datasets.load(datasetName).test();
        spec.requireFits(test, datasetName + " test images");
        return new TestPuzzles(test, spec.grid(), config.evalLimit(), config.evalSeed());
    }

    private static MatchAndScoreRequest request(ScrambledBatch puzzles, float[] logAlpha) {
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
        return req.setItems(items.setValuesF32Le(ProtoArrays.encode(puzzles.scrambledPieces()))).build();
    }

    private void publish(Evaluation e) throws Exception {
        tracing.send(producer, new ProducerRecord<>(PipelineTopics.EVALUATIONS, CheckpointRecords.key(e.getModel()), e.toByteArray()))
                .get(130, TimeUnit.SECONDS);
    }
}
