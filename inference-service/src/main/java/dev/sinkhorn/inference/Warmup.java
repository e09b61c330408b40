package dev.sinkhorn.inference;

import dev.sinkhorn.core.model.Devices;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.service.grpc.LoopbackChannel;
import dev.sinkhorn.service.grpc.ProtoArrays;
import dev.sinkhorn.service.grpc.WarmupGate;
import dev.sinkhorn.v1.GumbelSinkhornRequest;
import dev.sinkhorn.v1.InferenceServiceGrpc;
import dev.sinkhorn.v1.PredictRequest;
import dev.sinkhorn.v1.SinkhornRequest;
import dev.sinkhorn.v1.Tensor;
import io.grpc.ManagedChannel;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Before the inference service reports started and ready: loads libtorch on the compute thread,
 * then, once the checkpoints are read, calls itself over gRPC on loopback ({@link LoopbackChannel}):
 * Sinkhorn and GumbelSinkhorn on the shapes clients send and Predict on every model loaded (up to
 * 20), for at least {@code sinkhorn.warmup} and until the JIT compiler is steady (at most twice
 * that), so the JIT, libtorch's threads and each model's first forward pass are behind it
 * when the first client calls.
 */
@ApplicationScoped
public class Warmup {
    private static final Logger LOG = Logger.getLogger(Warmup.class);
    private static final int MAX_MODELS = 20;

    @Inject
    WarmupGate gate;
    @Inject
    ComputeThread compute;
    @Inject
    ModelRegistry registry;
    @Inject
    KafkaFollower follower;
    @ConfigProperty(name = "sinkhorn.warmup")
    Duration budget;
    @ConfigProperty(name = "quarkus.grpc.server.port")
    int port;
    @ConfigProperty(name = "quarkus.grpc.server.ssl.certificate")
    Optional<String> certificate;
    @ConfigProperty(name = "quarkus.grpc.server.ssl.key")
    Optional<String> key;

    void onStart(@Observes StartupEvent event) {
        Thread t = new Thread(this::run, "warm-up");
        t.setDaemon(true);
        t.start();
    }

    private void run() {
        long start = System.nanoTime();
        int calls = 0;
        int models = 0;
        ManagedChannel channel = null;
        try {
            String engine = compute.run(() -> {
                Devices.forName("auto");
                return ai.djl.engine.Engine.getInstance().getEngineName() + " " + ai.djl.engine.Engine.getInstance().getVersion();
            });
            LOG.infof("%s loaded on the compute thread", engine);
            channel = LoopbackChannel.open(port, certificate, key);
            InferenceServiceGrpc.InferenceServiceBlockingStub stub = InferenceServiceGrpc
                    .newBlockingStub(LoopbackChannel.keyed(channel, gate.key())).withMaxOutboundMessageSize(64 << 20);
            SplittableRandom rng = new SplittableRandom(1);
            List<SinkhornRequest> sinkhorn = List.of(sinkhorn(rng, 256, 36, true), sinkhorn(rng, 64, 4, true),
                    sinkhorn(rng, 1024, 9, true), sinkhorn(rng, 16, 100, true), sinkhorn(rng, 64, 16, false));
            GumbelSinkhornRequest gumbel = GumbelSinkhornRequest.newBuilder().setLogAlpha(sinkhorn.get(1).getLogAlpha())
                    .setNSamples(4).setSeed(1).build();
            while (!follower.caughtUpNow()) {
                TimeUnit.MILLISECONDS.sleep(100); // the checkpoints are read by another thread; Predict needs them loaded
            }
            List<PredictRequest> predict = new ArrayList<>();
            for (String name : registry.names()) { // each model's serving version, else its newest
                long version = registry.servingVersion(name) > 0 ? registry.servingVersion(name) : registry.newestVersion(name);
                Optional<ModelRegistry.Lease> lease = registry.acquireIfLoaded(name, version);
                if (lease.isPresent() && predict.size() < MAX_MODELS) {
                    try (ModelRegistry.Lease l = lease.get()) {
                        predict.add(predict(rng, name, version, l.model().model().spec()));
                    }
                }
            }
            models = predict.size();
            calls = gate.warmUntilSteady(() -> {
                for (SinkhornRequest r : sinkhorn) {
                    stub.withDeadlineAfter(60, TimeUnit.SECONDS).sinkhorn(r);
                }
                stub.withDeadlineAfter(60, TimeUnit.SECONDS).gumbelSinkhorn(gumbel);
                for (PredictRequest r : predict) {
                    stub.withDeadlineAfter(60, TimeUnit.SECONDS).predict(r);
                }
                return sinkhorn.size() + 1 + predict.size();
            }, budget, budget.multipliedBy(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warnf("warm-up stopped early: %s", e);
        } finally {
            if (channel != null) {
                channel.shutdownNow();
            }
        }
        gate.done(calls + " calls (Sinkhorn, GumbelSinkhorn, Predict on " + models + " model(s)) in "
                + (System.nanoTime() - start) / 1_000_000 + " ms, until the JIT compiler was steady");
        LOG.infof("warmed up: %s", gate.summary());
    }

    private static SinkhornRequest sinkhorn(SplittableRandom rng, int b, int n, boolean bytes) {
        return SinkhornRequest.newBuilder().setLogAlpha(ProtoArrays.matrixBatch(b, n, n, random(rng, b * n * n), bytes))
                .setNIter(20).build();
    }

    /** 64 inputs of the model's shape: puzzles of random pixels, or lists of random numbers in [0, 1). */
    private static PredictRequest predict(SplittableRandom rng, String model, long version, ModelSpec spec) {
        int b = 64;
        float[] values = random(rng, b * spec.inputFloats());
        for (int k = 0; k < values.length; k++) {
            values[k] = Math.abs(values[k]) % 1f;
        }
        Tensor.Builder t = Tensor.newBuilder().addShape(b).addShape(spec.size());
        if (!spec.isSorting()) {
            t.addShape(spec.inChannels()).addShape(spec.pieceSize()).addShape(spec.pieceSize());
        }
        return PredictRequest.newBuilder().setModel(model).setVersion(version).setPieces(t.setValuesF32Le(ProtoArrays.encode(values)))
                .build();
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] x = new float[n];
        for (int k = 0; k < n; k++) {
            x[k] = (float) rng.nextGaussian();
        }
        return x;
    }
}
