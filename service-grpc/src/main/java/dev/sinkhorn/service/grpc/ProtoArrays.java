package dev.sinkhorn.service.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.sinkhorn.v1.MatrixBatch;
import dev.sinkhorn.v1.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Between the contracts' float fields and float arrays: `repeated float values` read by index
 * (getValuesList().get(k) would allocate a Float per value) or the `values_f32le` bytes, decoded
 * and encoded as one copy.
 */
public final class ProtoArrays {
    private ProtoArrays() {
    }

    /** The batch's entries, from whichever of the two fields it uses. */
    public static float[] values(MatrixBatch m) {
        return m.getValuesF32Le().isEmpty() ? repeated(m.getValuesCount(), m::getValues) : decode(m.getValuesF32Le());
    }

    public static float[] values(Tensor t) {
        return t.getValuesF32Le().isEmpty() ? repeated(t.getValuesCount(), t::getValues) : decode(t.getValuesF32Le());
    }

    /** Entries a batch holds (counting either field); -1 when both fields are set or the bytes are not whole floats. */
    public static long count(MatrixBatch m) {
        return count(m.getValuesCount(), m.getValuesF32Le());
    }

    public static long count(Tensor t) {
        return count(t.getValuesCount(), t.getValuesF32Le());
    }

    private static long count(int repeated, ByteString bytes) {
        if (bytes.isEmpty()) {
            return repeated;
        }
        return repeated == 0 && bytes.size() % 4 == 0 ? bytes.size() / 4 : -1;
    }

    /** A batch of b matrices of rows x cols holding the values (row-major), in `values` or, with bytes, `values_f32le`. */
    public static MatrixBatch matrixBatch(int b, int rows, int cols, float[] values, boolean bytes) {
        MatrixBatch.Builder m = MatrixBatch.newBuilder().setBatch(b).setRows(rows).setCols(cols);
        if (bytes) {
            return m.setValuesF32Le(encode(values)).build();
        }
        for (float v : values) {
            m.addValues(v);
        }
        return m.build();
    }

    public static MatrixBatch matrixBatch(int b, int rows, int cols, float[] values) {
        return matrixBatch(b, rows, cols, values, false);
    }

    public static ByteString encode(float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return UnsafeByteOperations.unsafeWrap(buf.array()); // no second copy: nothing else holds the array
    }

    private static float[] decode(ByteString bytes) {
        float[] v = new float[bytes.size() / 4];
        bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    private static float[] repeated(int n, java.util.function.IntToDoubleFunction get) {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = (float) get.applyAsDouble(k);
        }
        return v;
    }
}
