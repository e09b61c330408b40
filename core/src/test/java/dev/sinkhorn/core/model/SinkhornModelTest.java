package dev.sinkhorn.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.data.TestData;
import dev.sinkhorn.core.jigsaw.Jigsaw;
import dev.sinkhorn.core.data.ScrambledBatch;
import dev.sinkhorn.core.sinkhorn.SinkhornOps;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SinkhornModelTest {
    private static final ModelSpec SEED = ModelSpec.seed(1, 28);

    private static ScrambledBatch puzzles(int grid, int n, long seed) {
        ImageSet test = TestData.mnist().test();
        float[] images = new float[n * test.imageSize()];
        int[] idx = new int[n];
        Arrays.setAll(idx, i -> i);
        test.copyUnitPixels(idx, n, images);
        return new Jigsaw(grid).scramble(images, n, 1, 28, 28, new SplittableRandom(seed));
    }

    @Test
    void outputsOneRowOfScoresPerPiece() {
        for (int grid = 2; grid <= 7; grid++) {
            ModelSpec spec = ModelSpec.jigsaw(1, 28, grid, 8, 3, 0.1f, 20);
            assertTrue(spec.problems().isEmpty(), spec.problems().toString());
            try (SinkhornModel model = SinkhornModel.initialize(spec, 0.1307f, 0.3081f, Device.cpu())) {
                ScrambledBatch b = puzzles(grid, 5, grid);
                float[] logAlpha = model.logAlpha(b.scrambledPieces(), 5);
                assertEquals(5 * grid * grid * grid * grid, logAlpha.length, "grid " + grid);
                for (float v : logAlpha) {
                    assertTrue(Float.isFinite(v));
                }
            }
        }
    }

    @Test
    void aPieceScoresTheSameWhereverItIsInTheInput() {
        // One shared network per piece: scrambling only permutes the rows of log_alpha.
        try (SinkhornModel model = SinkhornModel.initialize(SEED, 0.1307f, 0.3081f, Device.cpu())) {
            ScrambledBatch b = puzzles(2, 4, 1);
            float[] scrambled = model.logAlpha(b.scrambledPieces(), 4);
            float[] ordered = model.logAlpha(b.truePieces(), 4);
            for (int k = 0; k < 4; k++) {
                for (int i = 0; i < 4; i++) {
                    int original = b.permutations()[k][i];
                    for (int q = 0; q < 4; q++) {
                        assertEquals(ordered[k * 16 + original * 4 + q], scrambled[k * 16 + i * 4 + q], 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void reorderingWithTheTruePermutationMatrixRestoresTheImage() {
        int grid = 3;
        ScrambledBatch b = puzzles(grid, 6, 2);
        int p = b.pieces();
        float[] perm = new float[6 * p * p];
        for (int k = 0; k < 6; k++) {
            for (int i = 0; i < p; i++) {
                perm[k * p * p + i * p + b.permutations()[k][i]] = 1f; // S[i, q] = 1 where q = position of piece i
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ordered = SinkhornOps.reorder(m.create(perm, new Shape(6, p, p)),
                    m.create(b.scrambledPieces(), new Shape(6, p, b.pieceSize())));
            assertArrayEquals(b.truePieces(), ordered.toFloatArray());
        }
    }

    @Test
    void parametersRoundTripIntoAFreshNetwork() throws MalformedModelException {
        ScrambledBatch b = puzzles(2, 8, 3);
        try (SinkhornModel a = SinkhornModel.initialize(SEED, 0.1307f, 0.3081f, Device.cpu())) {
            byte[] blob = a.parameters();
            assertTrue(blob.length > 20_000 && blob.length < 40_000, "the seed model is ~30 KB, got " + blob.length);
            try (SinkhornModel c = SinkhornModel.fromParameters(SEED, 0.1307f, 0.3081f, blob, Device.cpu())) {
                assertArrayEquals(a.logAlpha(b.scrambledPieces(), 8), c.logAlpha(b.scrambledPieces(), 8));
                assertArrayEquals(blob, c.parameters());
            }
            try (SinkhornModel other = SinkhornModel.initialize(SEED, 0.1307f, 0.3081f, Device.cpu())) {
                assertFalse(Arrays.equals(a.logAlpha(b.scrambledPieces(), 8), other.logAlpha(b.scrambledPieces(), 8)),
                        "two initialisations differ");
            }
        }
    }

    @Test
    void theSeedDecidesTheInitialParameters() {
        try (SinkhornModel a = SinkhornModel.initialize(SEED, 0f, 1f, Device.cpu(), 5);
             SinkhornModel b = SinkhornModel.initialize(SEED, 0f, 1f, Device.cpu(), 5);
             SinkhornModel c = SinkhornModel.initialize(SEED, 0f, 1f, Device.cpu(), 6)) {
            assertArrayEquals(a.parameters(), b.parameters());
            assertFalse(Arrays.equals(a.parameters(), c.parameters()));
        }
    }

    @Test
    void rejectsParametersOfAnotherShapeAndGarbage() throws MalformedModelException {
        byte[] blob;
        try (SinkhornModel a = SinkhornModel.initialize(SEED, 0.1307f, 0.3081f, Device.cpu())) {
            blob = a.parameters();
        }
        ModelSpec wider = ModelSpec.jigsaw(1, 28, 2, 16, 5, 0.1f, 20);
        MalformedModelException e = assertThrows(MalformedModelException.class,
                () -> SinkhornModel.fromParameters(wider, 0f, 1f, blob, Device.cpu()));
        assertTrue(e.getMessage().contains("do not fit the spec"), e.getMessage());
        ModelSpec grid3 = ModelSpec.jigsaw(1, 28, 3, 32, 5, 0.1f, 20);
        assertThrows(MalformedModelException.class, () -> SinkhornModel.fromParameters(grid3, 0f, 1f, blob, Device.cpu()));
        byte[] garbage = new byte[500];
        new SplittableRandom(1).nextBytes(garbage);
        assertThrows(MalformedModelException.class, () -> SinkhornModel.fromParameters(SEED, 0f, 1f, garbage, Device.cpu()));
        assertThrows(MalformedModelException.class,
                () -> SinkhornModel.fromParameters(SEED, 0f, 1f, Arrays.copyOf(blob, blob.length / 2), Device.cpu()));
        MalformedModelException longer = assertThrows(MalformedModelException.class,
                () -> SinkhornModel.fromParameters(SEED, 0f, 1f, Arrays.copyOf(blob, blob.length + 1), Device.cpu()));
        assertTrue(longer.getMessage().contains("1 bytes left over"), longer.getMessage());
    }

    @Test
    void equalsTheStraightforwardNchwComputation() {
        // The layout tricks of the forward pass must not change the maths: recompute it the plain way.
        ScrambledBatch b = puzzles(3, 3, 5);
        ModelSpec spec = ModelSpec.jigsaw(1, 28, 3, 8, 5, 0.1f, 20);
        try (SinkhornModel model = SinkhornModel.initialize(spec, 0.1307f, 0.3081f, Device.cpu());
             NDManager m = NDManager.newBaseManager()) {
            java.util.Map<String, NDArray> w = new java.util.HashMap<>();
            model.network().getParameters().forEach(pair -> w.put(pair.getKey(), pair.getValue().getArray()));
            NDArray x = model.normalized(m, b.scrambledPieces(), 3).reshape(27, 1, 9, 9);
            x = ai.djl.nn.convolutional.Conv2d.conv2d(x, w.get("conv_weight"), w.get("conv_bias"), new Shape(1, 1),
                    new Shape(2, 2)).singletonOrThrow();
            x = ai.djl.nn.pooling.Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
            x = ai.djl.nn.Activation.relu(x);
            x = ai.djl.nn.norm.BatchNorm.batchNorm(x, w.get("bn_running_mean"), w.get("bn_running_var"), w.get("bn_gamma"),
                    w.get("bn_beta"), 1, 0.9f, 1e-5f, false).singletonOrThrow();
            x = ai.djl.nn.core.Linear.linear(x.reshape(27, 8 * 4 * 4), w.get("linear_weight")).singletonOrThrow();
            assertArrayEquals(x.toFloatArray(), model.logAlpha(b.scrambledPieces(), 3), 1e-5f);
        }
    }

    /** Both architectures, the context one with edge attention (every parameter in use). */
    static java.util.stream.Stream<ModelSpec> everyJigsawNetwork() {
        return java.util.stream.Stream.of(SEED, ModelSpec.jigsaw(1, 28, 2, 8, 5, 1f, 10).withContext(2, 4, 16).withEdgeAttention(true));
    }

    @ParameterizedTest
    @MethodSource("everyJigsawNetwork")
    void forwardPassesAndTrainingStepsLeaveNothingBehindInTheModelsManager(ModelSpec spec) throws Exception {
        // Arrays derived from parameters must die with the call, not pile up in the model's manager
        // (they did: a 20-epoch 3x3 run grew to 24 GB, and every Predict leaked a little; the first
        // draft of edge attention grew a 30-epoch run to 13 GB).
        ScrambledBatch b = puzzles(2, 4, 6);
        try (SinkhornModel model = SinkhornModel.initialize(spec, 0.1307f, 0.3081f, Device.cpu(), 1)) {
            model.logAlpha(b.scrambledPieces(), 4);
            int before = resources(model.manager());
            for (int i = 0; i < 20; i++) {
                model.logAlpha(b.scrambledPieces(), 4);
                model.predict(b.scrambledPieces(), 4);
            }
            assertEquals(before, resources(model.manager()), "predictions");
            float[] images = new float[4 * 784];
            TestData.mnist().train().copyUnitPixels(new int[] {0, 1, 2, 3}, 4, images);
            dev.sinkhorn.core.training.JigsawTrainer trainer = new dev.sinkhorn.core.training.JigsawTrainer(model,
                    new dev.sinkhorn.core.training.TrainingSettings(4, 1e-3f, 2, 1f, 0));
            trainer.step(images, 4, 1, 28, 28); // the first step creates Adam's state: it stays
            int afterFirstStep = resources(model.manager());
            for (int i = 0; i < 20; i++) {
                trainer.step(images, 4, 1, 28, 28);
            }
            assertEquals(afterFirstStep, resources(model.manager()), "training steps");
        }
    }

    private static int resources(ai.djl.ndarray.NDManager manager) throws Exception {
        java.lang.reflect.Field f = ai.djl.ndarray.BaseNDManager.class.getDeclaredField("resources");
        f.setAccessible(true);
        return ((java.util.Map<?, ?>) f.get(manager)).size();
    }

    @Test
    void specProblemsNameTheField() {
        ModelSpec bad = new ModelSpec("ranking", 0, 28, 9, 32, 4, 0f, 0, 0, 0, "per-piece", 0, 0, 0, false);
        String all = String.join("\n", bad.problems());
        for (String field : new String[] {"task:", "in_channels:", "grid:", "kernel_size:", "tau:", "n_iter:"}) {
            assertTrue(all.contains(field), field + " missing in " + all);
        }
        String sorting = String.join("\n", ModelSpec.sorting(1, 0, 1f, 10).problems());
        assertTrue(sorting.contains("items: must be 2 to 1000") && sorting.contains("units:"), sorting);
        assertTrue(ModelSpec.sorting(50, 32, 1f, 10).problems().isEmpty());
        assertTrue(ModelSpec.jigsaw(1, 6, 4, 8, 3, 1f, 5).problems().get(0).startsWith("image_size:"));
    }
}
