package dev.sinkhorn.core.training;

/** Opens SortingEvaluation's package-private resampling to the tests of other packages. */
public final class SortingEvaluationAccess {
    private SortingEvaluationAccess() {
    }

    public static float[] resample(float[] scores, int rows, int from, int to) {
        return SortingEvaluation.resample(scores, rows, from, to);
    }
}
