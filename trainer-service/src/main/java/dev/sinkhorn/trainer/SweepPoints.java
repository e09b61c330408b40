package dev.sinkhorn.trainer;

import dev.sinkhorn.core.errors.InvalidInputException;
import dev.sinkhorn.core.errors.LimitExceededException;
import dev.sinkhorn.v1.ModelSpec;
import dev.sinkhorn.v1.SweepAxis;
import dev.sinkhorn.v1.SweepSpec;
import dev.sinkhorn.v1.TrainingSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * The points of a sweep: every combination of a grid's values (the last axis fastest), or the
 * listed points, each applied to the base spec, with the model named {@code <name>-<index>} and a
 * description of what the point sets.
 */
final class SweepPoints {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,56}");

    /** One point: the spec its job trains and what it sets. */
    record Point(TrainingSpec spec, String description) {
    }

    /** How an axis sets its field on a spec. */
    private static final Map<String, BiFunction<TrainingSpec.Builder, Double, TrainingSpec.Builder>> FIELDS = Map.ofEntries(
            Map.entry("learning_rate", (b, v) -> b.setLearningRate(v.floatValue())),
            Map.entry("batch_size", (b, v) -> b.setBatchSize(whole("batch_size", v))),
            Map.entry("n_samples", (b, v) -> b.setNSamples(whole("n_samples", v))),
            Map.entry("noise_factor", (b, v) -> b.setNoiseFactor(v.floatValue())),
            Map.entry("epochs", (b, v) -> b.setEpochs(whole("epochs", v))),
            Map.entry("seed", (b, v) -> b.setSeed(whole("seed", v))),
            Map.entry("train_limit", (b, v) -> b.setTrainLimit(whole("train_limit", v))),
            Map.entry("steps", (b, v) -> b.setSteps(whole("steps", v))),
            Map.entry("items", (b, v) -> model(b, m -> m.setItems(whole("items", v)))),
            Map.entry("units", (b, v) -> model(b, m -> m.setUnits(whole("units", v)))),
            Map.entry("layers", (b, v) -> model(b, m -> m.setLayers(whole("layers", v)))),
            Map.entry("heads", (b, v) -> model(b, m -> m.setHeads(whole("heads", v)))),
            Map.entry("width", (b, v) -> model(b, m -> m.setWidth(whole("width", v)))),
            Map.entry("grid", (b, v) -> model(b, m -> m.setGrid(whole("grid", v)))),
            Map.entry("hidden_channels", (b, v) -> model(b, m -> m.setHiddenChannels(whole("hidden_channels", v)))),
            Map.entry("kernel_size", (b, v) -> model(b, m -> m.setKernelSize(whole("kernel_size", v)))),
            Map.entry("tau", (b, v) -> model(b, m -> m.setTau(v.floatValue()))),
            Map.entry("n_iter", (b, v) -> model(b, m -> m.setNIter(whole("n_iter", v)))));

    private SweepPoints() {
    }

    /** The sweep's points, in order; at most {@code maxPoints} (RESOURCE_EXHAUSTED beyond). */
    static List<Point> of(SweepSpec sweep, int maxPoints) {
        if (!NAME.matcher(sweep.getName()).matches()) {
            throw new InvalidInputException("name: 1 to 56 of [A-Za-z0-9._-] (it names the sweep's models <name>-<index>), got \""
                    + sweep.getName() + "\"");
        }
        if (sweep.getGridCount() > 0 && sweep.getPointsCount() > 0) {
            throw new InvalidInputException("grid and points: set one, not both");
        }
        long count = sweep.getGridCount() > 0 ? 1 : sweep.getPointsCount();
        for (int a = 0; a < sweep.getGridCount(); a++) {
            SweepAxis axis = sweep.getGrid(a);
            if (!FIELDS.containsKey(axis.getField())) {
                throw new InvalidInputException("grid[" + a + "].field: \"" + axis.getField() + "\" is not one of "
                        + FIELDS.keySet().stream().sorted().toList());
            }
            if (axis.getValuesCount() == 0) {
                throw new InvalidInputException("grid[" + a + "] (" + axis.getField() + "): no values");
            }
            count *= axis.getValuesCount();
            if (count > maxPoints) {
                break;
            }
        }
        if (count == 0) {
            throw new InvalidInputException("a sweep needs a grid or points");
        }
        if (count > maxPoints) {
            throw new LimitExceededException("the sweep has at least " + count + " points; trainer.max-sweep-points is " + maxPoints);
        }
        List<Point> out = new ArrayList<>();
        if (sweep.getGridCount() == 0) {
            for (int k = 0; k < sweep.getPointsCount(); k++) {
                TrainingSpec point = sweep.getPoints(k);
                TrainingSpec spec = sweep.getBase().toBuilder().mergeFrom(point.toBuilder().clearModel().build())
                        .setModel(sweep.getName() + "-" + k).build();
                out.add(new Point(spec, "points[" + k + "]: " + point.toBuilder().clearModel().build().toString().trim()
                        .replaceAll("\\s*\\n\\s*", " ")));
            }
            return out;
        }
        grid(sweep, 0, sweep.getBase().toBuilder(), new ArrayList<>(), out);
        return out;
    }

    private static void grid(SweepSpec sweep, int axis, TrainingSpec.Builder at, List<String> set, List<Point> out) {
        if (axis == sweep.getGridCount()) {
            out.add(new Point(at.clone().setModel(sweep.getName() + "-" + out.size()).build(), String.join(" ", set)));
            return;
        }
        SweepAxis a = sweep.getGrid(axis);
        for (double v : a.getValuesList()) {
            TrainingSpec.Builder b = FIELDS.get(a.getField()).apply(at.clone(), v);
            set.add(a.getField() + "=" + format(v));
            grid(sweep, axis + 1, b, set, out);
            set.remove(set.size() - 1);
        }
    }

    /** Sets a field of the spec's ModelSpec. */
    private static TrainingSpec.Builder model(TrainingSpec.Builder b, java.util.function.Consumer<ModelSpec.Builder> set) {
        set.accept(b.getSpecBuilder());
        return b;
    }

    private static int whole(String field, double v) {
        if (v != Math.rint(v) || v < 0 || v > Integer.MAX_VALUE) {
            throw new InvalidInputException("grid: " + field + " takes whole numbers >= 0, got " + format(v));
        }
        return (int) v;
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", (float) v);
    }
}
