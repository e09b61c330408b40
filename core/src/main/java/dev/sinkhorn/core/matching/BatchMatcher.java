package dev.sinkhorn.core.matching;

import dev.sinkhorn.core.random.GumbelNoise;
import dev.sinkhorn.core.random.GumbelSampling;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * Solves batches of assignment problems in parallel, one {@link LinearAssignmentSolver} per worker
 * thread. Input: {@link Matrices}; output: one result per matrix, in order.
 */
public final class BatchMatcher implements AutoCloseable {
    /** Below this many matrix entries a batch is solved on the calling thread: handing off costs more. */
    private static final long INLINE_ELEMENTS = 4096;

    private final int parallelism;
    private final ExecutorService pool;
    private final ThreadLocal<LinearAssignmentSolver> solvers = ThreadLocal.withInitial(LinearAssignmentSolver::new);

    public BatchMatcher(int parallelism) {
        this.parallelism = Math.max(1, parallelism);
        this.pool = Executors.newFixedThreadPool(this.parallelism, r -> {
            Thread t = new Thread(r, "lap-worker");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Solves every matrix of the batch. Infeasible matrices raise
     * {@link InfeasibleAssignmentException}, matrices holding NaN an IllegalArgumentException, both
     * naming the matrix index; {@code cancelled} is polled between matrices and rows.
     */
    public AssignmentResult[] solve(Matrices matrices, MatchOptions options, BooleanSupplier cancelled) {
        int batch = matrices.batch();
        AssignmentResult[] results = new AssignmentResult[batch];
        int chunks = (matrices.elements() <= INLINE_ELEMENTS || parallelism == 1 || batch == 1) ? 1 : Math.min(batch, parallelism * 4);
        if (chunks == 1) {
            solveRange(matrices, 0, batch, options, cancelled, results);
            return results;
        }
        List<Future<?>> futures = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            int from = (int) ((long) batch * c / chunks);
            int to = (int) ((long) batch * (c + 1) / chunks);
            futures.add(pool.submit(() -> solveRange(matrices, from, to, options, cancelled, results)));
        }
        try {
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
        return results;
    }

    /**
     * Exact samples of the Gumbel-Matching distribution: M(X + noiseFactor * g) for
     * {@code sampling.samples()} independent noise draws per matrix. Result k = b * samples + s; its
     * objective is that of the noisy matrix. Noise of sample k comes from
     * {@link GumbelNoise#forItem(long, long)}(seed, k), so results do not depend on threading.
     */
    public AssignmentResult[] sample(Matrices matrices, GumbelSampling sampling, long seed, BooleanSupplier cancelled) {
        int size = matrices.matrixSize();
        int nSamples = sampling.samples();
        float[] values = matrices.values();
        float[] noisy = new float[matrices.batch() * nSamples * size];
        for (int b = 0; b < matrices.batch(); b++) {
            for (int s = 0; s < nSamples; s++) {
                int k = b * nSamples + s;
                GumbelNoise noise = GumbelNoise.forItem(seed, k);
                for (int e = 0; e < size; e++) {
                    noisy[k * size + e] = (float) (values[b * size + e] + (double) sampling.noiseFactor() * noise.next());
                }
            }
        }
        return solve(new Matrices(matrices.batch() * nSamples, matrices.rows(), matrices.cols(), noisy), MatchOptions.MAXIMIZE,
                cancelled);
    }

    private void solveRange(Matrices matrices, int from, int to, MatchOptions options, BooleanSupplier cancelled,
                            AssignmentResult[] out) {
        LinearAssignmentSolver solver = solvers.get();
        for (int b = from; b < to; b++) {
            if (((b - from) & 63) == 0 && (cancelled.getAsBoolean() || Thread.currentThread().isInterrupted())) {
                throw new CancellationException("cancelled at matrix " + b);
            }
            AssignmentProblem problem = matrices.problem(b, options.minimize());
            try {
                out[b] = options.withPotentials() ? solver.solve(problem, cancelled) : solver.solveWithoutPotentials(problem, cancelled);
            } catch (InfeasibleAssignmentException e) {
                throw new InfeasibleAssignmentException("matrix " + b + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("matrix " + b + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
