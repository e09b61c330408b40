package dev.sinkhorn.core.matching;

import dev.sinkhorn.core.random.GumbelNoise;
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
 * thread. Input: B matrices of rows x cols, row-major in one float array
 * (element (b, i, j) at values[b*rows*cols + i*cols + j]). Output: one result per matrix, in order.
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
     * Solves every matrix. Infeasible matrices raise {@link InfeasibleAssignmentException}, matrices
     * holding NaN an IllegalArgumentException, both naming the matrix index; {@code cancelled} is
     * polled between matrices and rows.
     */
    public AssignmentResult[] solve(float[] values, int batch, int rows, int cols, boolean minimize, BooleanSupplier cancelled) {
        return solve(values, batch, rows, cols, minimize, true, cancelled);
    }

    /** As {@link #solve(float[], int, int, int, boolean, BooleanSupplier)}; without potentials when not asked for. */
    public AssignmentResult[] solve(float[] values, int batch, int rows, int cols, boolean minimize, boolean withPotentials,
                                    BooleanSupplier cancelled) {
        AssignmentResult[] results = new AssignmentResult[batch];
        long elements = (long) batch * rows * cols;
        int chunks = (elements <= INLINE_ELEMENTS || parallelism == 1 || batch == 1) ? 1 : Math.min(batch, parallelism * 4);
        if (chunks == 1) {
            solveRange(values, 0, batch, rows, cols, minimize, withPotentials, cancelled, results);
            return results;
        }
        List<Future<?>> futures = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            int from = (int) ((long) batch * c / chunks);
            int to = (int) ((long) batch * (c + 1) / chunks);
            futures.add(pool.submit(() -> solveRange(values, from, to, rows, cols, minimize, withPotentials, cancelled, results)));
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
     * Exact samples of the Gumbel-Matching distribution: M(X + noiseFactor * g) for nSamples
     * independent noise draws per matrix. Result k = b * nSamples + s; its objective is that of
     * the noisy matrix. Noise of sample k comes from {@link GumbelNoise#forItem(long, long)}(seed, k),
     * so results do not depend on threading.
     */
    public AssignmentResult[] sample(float[] values, int batch, int rows, int cols, int nSamples, double noiseFactor,
                                     long seed, BooleanSupplier cancelled) {
        int size = rows * cols;
        float[] noisy = new float[batch * nSamples * size];
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < nSamples; s++) {
                int k = b * nSamples + s;
                GumbelNoise noise = GumbelNoise.forItem(seed, k);
                for (int e = 0; e < size; e++) {
                    noisy[k * size + e] = (float) (values[b * size + e] + noiseFactor * noise.next());
                }
            }
        }
        return solve(noisy, batch * nSamples, rows, cols, false, false, cancelled);
    }

    private void solveRange(float[] values, int from, int to, int rows, int cols, boolean minimize, boolean withPotentials,
                            BooleanSupplier cancelled, AssignmentResult[] out) {
        LinearAssignmentSolver solver = solvers.get();
        int size = rows * cols;
        for (int b = from; b < to; b++) {
            if (((b - from) & 63) == 0 && (cancelled.getAsBoolean() || Thread.currentThread().isInterrupted())) {
                throw new CancellationException("cancelled at matrix " + b);
            }
            try {
                out[b] = solver.solve(new AssignmentProblem(values, b * size, rows, cols, minimize), cancelled, withPotentials);
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
