package dev.sinkhorn.service;

import dev.sinkhorn.v1.MatrixBatch;
import dev.sinkhorn.v1.Tensor;

/**
 * Between protobuf's repeated floats and float arrays, without boxing: index access reads the
 * packed float list directly, where getValuesList().get(k) would allocate a Float per value
 * (measurable on million-element requests).
 */
public final class ProtoArrays {
    private ProtoArrays() {
    }

    public static float[] values(MatrixBatch m) {
        float[] v = new float[m.getValuesCount()];
        for (int k = 0; k < v.length; k++) {
            v[k] = m.getValues(k);
        }
        return v;
    }

    public static float[] values(Tensor t) {
        float[] v = new float[t.getValuesCount()];
        for (int k = 0; k < v.length; k++) {
            v[k] = t.getValues(k);
        }
        return v;
    }

    /** A batch of b matrices of rows x cols holding the values (row-major). */
    public static MatrixBatch matrixBatch(int b, int rows, int cols, float[] values) {
        MatrixBatch.Builder m = MatrixBatch.newBuilder().setBatch(b).setRows(rows).setCols(cols);
        for (float v : values) {
            m.addValues(v);
        }
        return m.build();
    }
}
