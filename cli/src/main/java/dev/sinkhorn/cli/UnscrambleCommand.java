package dev.sinkhorn.cli;

import dev.sinkhorn.core.data.DatasetResolver;
import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.jigsaw.Jigsaw;
import dev.sinkhorn.core.data.ScrambledBatch;
import dev.sinkhorn.v1.ModelInfo;
import dev.sinkhorn.v1.ModelSpec;
import dev.sinkhorn.v1.PredictResponse;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * `sinkhorn unscramble`: scrambles an image (or takes an already scrambled one), asks the model to
 * put the pieces back (Predict with hard = true) and writes scrambled | reconstructed as one PNG.
 */
@Command(name = "unscramble", mixinStandardHelpOptions = true, description = "Unscramble one image with a served model; writes scrambled | reconstructed side by side as PNG.")
final class UnscrambleCommand implements Callable<Integer> {
    @ParentCommand
    SinkhornCli root;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true)
    String model;

    @ArgGroup(multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--index", description = "an image of the model's test split, by index")
        Integer index;
        @Option(names = "--image", description = "a PNG of the model's image size")
        Path image;
    }

    @Option(names = "--grid", description = "pieces per side; must match the model (default: the model's)")
    Integer grid;
    @Option(names = "--scrambled", description = "the input is already scrambled: only unscramble it")
    boolean scrambled;
    @Option(names = "--permutation", split = ",", description = "scramble with this permutation (scrambled[i] = piece[p[i]]) instead of a random one")
    int[] permutation;
    @Option(names = "--seed", defaultValue = "0", description = "seed of the random scramble")
    long seed;
    @Option(names = "--out", defaultValue = "unscrambled.png", description = "output PNG (default ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws Exception {
        ModelInfo info = ModelsCommand.find(root.endpoints(), model);
        ModelSpec ms = info.getSpec();
        if (ms.getTask().equals(dev.sinkhorn.core.model.ModelSpec.SORTING)) {
            throw new Errors.CliException(Errors.USAGE, "model " + model + " sorts lists of " + ms.getItems()
                    + " numbers; use sinkhorn sort --model " + model + " NUMBER...");
        }
        if (grid != null && grid != ms.getGrid()) {
            throw new Errors.CliException(Errors.USAGE, "--grid " + grid + " but model " + model + " solves " + ms.getGrid() + "x"
                    + ms.getGrid() + " puzzles");
        }
        int c = ms.getInChannels();
        int size = ms.getImageSize();
        float[] image;
        if (source.image != null) {
            image = Pictures.readImage(source.image, c, size);
        } else {
            ImageSet test = DatasetResolver.fromEnvironment(spec.commandLine().getErr()::println)
                    .load(info.getDataset().isEmpty() ? "mnist" : info.getDataset()).test();
            if (source.index < 0 || source.index >= test.count()) {
                throw new Errors.CliException(Errors.USAGE, "--index must be 0 to " + (test.count() - 1));
            }
            image = Puzzles.images(test, new int[] {source.index});
        }
        Jigsaw jigsaw = new Jigsaw(ms.getGrid());
        int p = jigsaw.pieces();
        int[] perm = scrambled ? identity(p) : permutation != null ? checked(permutation, p) : Jigsaw.randomPermutation(p, new SplittableRandom(seed));
        ScrambledBatch puzzle = jigsaw.scramble(image, 1, c, size, size, new int[][] {perm});
        PredictResponse r = root.endpoints().inference().predict(Puzzles.request(info, puzzle));
        int[][] assignment = Puzzles.assignments(r);
        List<float[][]> pictures = Puzzles.pictures(jigsaw, puzzle, assignment);
        int side = ms.getGrid() * (size / ms.getGrid());
        Pictures.write(Pictures.pairs(pictures, c, side, side), out);
        PrintWriter o = spec.commandLine().getOut();
        boolean right = !scrambled && Arrays.equals(assignment[0], perm);
        if (root.json) {
            o.printf("{\"model\":\"%s\",\"version\":%d,\"scramble\":%s,\"assignment\":%s,\"png\":\"%s\"%s}%n", info.getName(), r.getVersion(),
                    Arrays.toString(perm), Arrays.toString(assignment[0]), out, scrambled ? "" : ",\"correct\":" + right);
        } else {
            o.printf("%s v%d put the pieces at %s%s; wrote %s (scrambled | reconstructed)%n", info.getName(), r.getVersion(),
                    Arrays.toString(assignment[0]), scrambled ? "" : right ? " (all right)" : " (true: " + Arrays.toString(perm) + ")", out);
        }
        return 0;
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        Arrays.setAll(p, i -> i);
        return p;
    }

    private static int[] checked(int[] perm, int n) {
        int[] sorted = perm.clone();
        Arrays.sort(sorted);
        if (!Arrays.equals(sorted, identity(n))) {
            throw new Errors.CliException(Errors.USAGE, "--permutation must be a permutation of 0.." + (n - 1) + ", got " + Arrays.toString(perm));
        }
        return perm;
    }
}
