package dev.sinkhorn.service.grpc;

import dev.sinkhorn.core.errors.InvalidInputException;
import dev.sinkhorn.core.errors.LimitExceededException;
import dev.sinkhorn.v1.Tensor;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Validates a {@link Tensor} field against the shape a call needs: rank and every fixed dimension
 * exact, free dimensions >= 1, within the cap, values.length consistent with the shape, every value
 * finite. Failures are {@link InvalidInputException} ({@link LimitExceededException} for the cap)
 * whose message names the field and, for values, the flat index and the index of every dimension.
 */
public final class TensorValidator {
    private final long maxElements;

    public TensorValidator(long maxElements) {
        this.maxElements = maxElements;
    }

    /** One dimension of an expected shape, named as in the contract's docs: a fixed size, or any size >= 1. */
    public record Dim(String name, int size) {
        public static Dim any(String name) {
            return new Dim(name, -1);
        }

        public static Dim of(String name, int size) {
            return new Dim(name, size);
        }

        boolean accepts(long n) {
            return size < 0 ? n >= 1 : n == size;
        }

        @Override
        public String toString() {
            return size < 0 ? name + " >= 1" : String.valueOf(size);
        }
    }

    /**
     * Checks the tensor and returns its values.
     *
     * @param field    the field's name in messages, e.g. "pieces"
     * @param expected the shape it must have
     * @param context  appended to the shape message to say why, e.g. " for this model (grid 3)"
     */
    public float[] validate(String field, Tensor t, List<Dim> expected, String context) {
        boolean fits = t.getShapeCount() == expected.size();
        for (int i = 0; fits && i < expected.size(); i++) {
            fits = expected.get(i).accepts(Integer.toUnsignedLong(t.getShape(i)));
        }
        List<Long> shape = t.getShapeList().stream().map(Integer::toUnsignedLong).toList();
        if (!fits) {
            throw new InvalidInputException(field + ".shape must be "
                    + expected.stream().map(Dim::toString).collect(Collectors.joining(", ", "[", "]")) + context + ", got " + shape);
        }
        long size = 1;
        for (long d : shape) {
            size = d > 0 && size > maxElements / d ? Long.MAX_VALUE : size * d; // no overflow past the cap
        }
        if (size > maxElements) {
            throw new LimitExceededException(field + " of shape " + shape + " holds "
                    + (size == Long.MAX_VALUE ? "more than " + maxElements : String.valueOf(size)) + " values, above the cap of "
                    + maxElements);
        }
        long count = ProtoArrays.count(t);
        if (count != size) {
            throw new InvalidInputException(field + ".values has " + (count < 0 ? "a broken" : count + " entries,")
                    + " shape " + shape + " needs " + size + " (set values or values_f32le as whole 4-byte floats, not both)");
        }
        float[] values = ProtoArrays.values(t);
        for (int k = 0; k < values.length; k++) {
            if (!Float.isFinite(values[k])) {
                throw new InvalidInputException(field + ".values[" + k + "] (" + index(k, shape, expected) + ") is " + values[k]
                        + "; must be finite");
            }
        }
        return values;
    }

    /** The multi-dimensional index of a flat one, as "B=1, P=1, C=0, h=1, w=6". */
    private static String index(long flat, List<Long> shape, List<Dim> names) {
        String[] idx = new String[shape.size()];
        for (int i = shape.size() - 1; i >= 0; i--) {
            idx[i] = names.get(i).name() + "=" + flat % shape.get(i);
            flat /= shape.get(i);
        }
        return String.join(", ", idx);
    }
}
