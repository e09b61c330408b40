package dev.sinkhorn.service.grpc;

import dev.sinkhorn.core.errors.InvalidInputException;
import dev.sinkhorn.core.errors.LimitExceededException;
import dev.sinkhorn.core.matching.Matrices;
import dev.sinkhorn.v1.MatrixBatch;

/**
 * Validates a {@link MatrixBatch} field of a request: shape fields positive and consistent with
 * values.length, optionally square, within the caps, every value finite. Failures are
 * {@link InvalidInputException} ({@link LimitExceededException} for caps) whose message names the
 * field and, for values, the matrix index, row and column.
 */
public final class MatrixBatchValidator {
    private final int maxRows;
    private final int maxCols;
    private final long maxElements;

    public MatrixBatchValidator(int maxRows, int maxCols, long maxElements) {
        this.maxRows = maxRows;
        this.maxCols = maxCols;
        this.maxElements = maxElements;
    }

    /** Validates a batch whose entries must all be finite. */
    public ValidatedBatch validate(String field, MatrixBatch m, boolean square) {
        return validate(field, m, square, 0f);
    }

    /**
     * Validates a batch in which one infinity is allowed, meaning "forbidden entry": pass
     * {@code Float.NEGATIVE_INFINITY} (maximising) or {@code Float.POSITIVE_INFINITY} (minimising);
     * 0 allows none. NaN and the other infinity are always rejected.
     */
    public ValidatedBatch validate(String field, MatrixBatch m, boolean square, float allowedInfinity) {
        if (m.getBatch() == 0 || m.getRows() == 0 || m.getCols() == 0) {
            throw new InvalidInputException(field + ": batch, rows and cols must all be >= 1, got batch=" + Integer.toUnsignedString(m.getBatch())
                    + " rows=" + Integer.toUnsignedString(m.getRows()) + " cols=" + Integer.toUnsignedString(m.getCols()));
        }
        long batch = Integer.toUnsignedLong(m.getBatch());
        long rows = Integer.toUnsignedLong(m.getRows());
        long cols = Integer.toUnsignedLong(m.getCols());
        if (square && rows != cols) {
            throw new InvalidInputException(field + ": matrices must be square, got " + rows + " x " + cols);
        }
        if (rows > maxRows) {
            throw new LimitExceededException(field + ": rows = " + rows + " exceeds the cap of " + maxRows);
        }
        if (cols > maxCols) {
            throw new LimitExceededException(field + ": cols = " + cols + " exceeds the cap of " + maxCols);
        }
        long elements = batch * rows * cols;
        if (elements > maxElements) {
            throw new LimitExceededException(field + ": batch*rows*cols = " + elements + " exceeds the cap of " + maxElements + " elements");
        }
        long count = ProtoArrays.count(m);
        if (count < 0) {
            throw new InvalidInputException(field + ": set values or values_f32le (whole 4-byte floats), not both; got "
                    + m.getValuesCount() + " values and " + m.getValuesF32Le().size() + " bytes");
        }
        if (count != elements) {
            throw new InvalidInputException(field + ": values has " + count + " entries but batch*rows*cols = "
                    + batch + "*" + rows + "*" + cols + " = " + elements);
        }
        float[] values = ProtoArrays.values(m);
        for (int k = 0; k < elements; k++) {
            float v = values[k];
            if (!Float.isFinite(v) && v != allowedInfinity) {
                long b = k / (rows * cols);
                long i = (k / cols) % rows;
                long j = k % cols;
                throw new InvalidInputException(field + ": matrix " + b + " has " + v + " at row " + i + ", column " + j
                        + " (values[" + k + "]); " + (allowedInfinity == 0f ? "entries must be finite"
                        : "entries must be finite or " + allowedInfinity + " (a forbidden pair)"));
            }
        }
        return new ValidatedBatch(new Matrices((int) batch, (int) rows, (int) cols, values), !m.getValuesF32Le().isEmpty());
    }
}
