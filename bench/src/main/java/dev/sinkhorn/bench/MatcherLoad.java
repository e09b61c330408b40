package dev.sinkhorn.bench;

import dev.sinkhorn.service.grpc.ProtoArrays;
import dev.sinkhorn.v1.MatchRequest;
import dev.sinkhorn.v1.MatcherServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load for the matcher's memory figure: CLIENTS concurrent callers send Match requests of BATCH
 * matrices of N x N (values_f32le, so each request is BATCH*N*N*4 bytes) for SECONDS.
 *
 * <pre>java -cp ... dev.sinkhorn.bench.MatcherLoad HOST:PORT CLIENTS BATCH N SECONDS</pre>
 */
public final class MatcherLoad {
    private MatcherLoad() {
    }

    public static void main(String[] args) throws Exception {
        String target = args[0];
        int clients = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        int n = Integer.parseInt(args[3]);
        long seconds = Long.parseLong(args[4]);
        float[] x = new float[batch * n * n];
        SplittableRandom rng = new SplittableRandom(7);
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) rng.nextDouble();
        }
        MatchRequest request = MatchRequest.newBuilder().setMatrices(ProtoArrays.matrixBatch(batch, n, n, x, true)).build();
        ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().maxInboundMessageSize(64 << 20).build();
        MatcherServiceGrpc.MatcherServiceBlockingStub stub = MatcherServiceGrpc.newBlockingStub(channel)
                .withMaxOutboundMessageSize(128 << 20);
        AtomicLong calls = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        java.util.Map<String, Long> errors = new java.util.concurrent.ConcurrentHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            pool.submit(() -> {
                while (System.nanoTime() < deadline) {
                    try {
                        stub.match(request);
                        calls.incrementAndGet();
                    } catch (io.grpc.StatusRuntimeException e) {
                        failures.incrementAndGet();
                        errors.merge(e.getStatus().getCode().toString(), 1L, Long::sum);
                    }
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 600, TimeUnit.SECONDS);
        channel.shutdownNow();
        System.out.printf("%d calls of %.1f MB from %d clients in %d s, %d failed %s%n", calls.get(),
                request.getSerializedSize() / 1e6, clients, seconds, failures.get(), errors);
    }
}
