package dev.sinkhorn.core.sorting;

import dev.sinkhorn.core.errors.InvalidInputException;
import java.util.Locale;

/**
 * The data set of the sorting task: numbers drawn uniformly from [low, high). Named
 * "uniform" ([0, 1), the paper's) or "uniform:&lt;low&gt;:&lt;high&gt;", e.g. "uniform:0:10".
 */
public record UniformRange(double low, double high) {
    public static final String NAME = "uniform";
    public static final UniformRange UNIT = new UniformRange(0, 1);

    /** Whether a data set name is one of the sorting task's (valid or not). */
    public static boolean isUniform(String dataset) {
        return dataset.equals(NAME) || dataset.startsWith(NAME + ":");
    }

    /**
     * The range a name describes.
     *
     * @throws InvalidInputException naming what is wrong
     */
    public static UniformRange parse(String dataset) {
        if (dataset.equals(NAME)) {
            return UNIT;
        }
        String[] parts = dataset.split(":", -1);
        if (parts.length != 3 || !parts[0].equals(NAME)) {
            throw new InvalidInputException("'" + dataset + "' is not \"uniform\" or \"uniform:<low>:<high>\"");
        }
        try {
            UniformRange r = new UniformRange(Double.parseDouble(parts[1]), Double.parseDouble(parts[2]));
            if (!Double.isFinite(r.low) || !Double.isFinite(r.high) || !(r.high > r.low)
                    || Math.abs(r.low) > 1e6 || Math.abs(r.high) > 1e6) {
                throw new InvalidInputException("'" + dataset + "': need finite low < high within +-1e6");
            }
            return r;
        } catch (NumberFormatException e) {
            throw new InvalidInputException("'" + dataset + "': low and high must be numbers");
        }
    }

    /** The canonical name: "uniform" for [0, 1), else "uniform:low:high". */
    public String name() {
        return equals(UNIT) ? NAME : String.format(Locale.ROOT, "%s:%s:%s", NAME, trim(low), trim(high));
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
