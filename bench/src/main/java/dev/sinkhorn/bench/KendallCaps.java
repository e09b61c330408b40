package dev.sinkhorn.bench;

import dev.sinkhorn.core.data.DatasetResolver;
import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.jigsaw.TestPuzzles;
import dev.sinkhorn.core.matching.IdenticalItems;
import dev.sinkhorn.core.matching.KendallTauCeiling;
import dev.sinkhorn.core.matching.PairScores;
import java.util.SplittableRandom;

/**
 * What positional metrics can say about a perfect jigsaw model: on the whole test split (our cut:
 * floor(28 / grid)-pixel pieces, the rest cropped), every puzzle reassembled right up to identical
 * content, with identical pieces (blank, mostly) placed at random among themselves, as a model that
 * cannot tell them apart does. Prints the expected positional metrics (SAMPLES random placements
 * per puzzle), the best positional Kendall tau any model can expect ({@link KendallTauCeiling}: a model
 * that hedges among identical pieces), and the interchangeable tau, exact (1) by construction.
 *
 * <pre>java -cp ... dev.sinkhorn.bench.KendallCaps [SAMPLES]</pre>
 */
public final class KendallCaps {
    private KendallCaps() {
    }

    public static void main(String[] args) {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        DatasetResolver data = DatasetResolver.fromEnvironment(System.err::println);
        System.out.println("| puzzle | test images | perfect reconstruction: mean Kendall tau | prop_wrong | prop_any_wrong"
                + " | best expectation (hedging): mean Kendall tau | interchangeable tau |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (String dataset : new String[] {DatasetResolver.MNIST, DatasetResolver.FASHION_MNIST}) {
            ImageSet test = data.load(dataset).test();
            for (int grid = 2; grid <= 6; grid++) {
                PairScores scores = new PairScores();
                double[] hedgedSum = new double[1];
                SplittableRandom rng = new SplittableRandom(grid);
                new TestPuzzles(test, grid, test.count(), 2018).forEachBatch(500, b -> {
                    int p = b.pieces();
                    int d = b.pieceSize();
                    for (int k = 0; k < b.batch(); k++) {
                        int[] truth = b.permutations()[k];
                        int[] leaders = IdenticalItems.groupLeaders(b.scrambledPieces(), k * p * d, d, p);
                        hedgedSum[0] += new KendallTauCeiling(truth, leaders).best();
                        for (int s = 0; s < samples; s++) {
                            scores.add(truth, shuffledAmongIdentical(leaders, truth, rng), b.scrambledPieces(), k * p * d, d);
                        }
                    }
                }, () -> false);
                System.out.printf("| %dx%d %s | %,d | %.3f | %.3f | %.3f | %.3f | %.3f |%n", grid, grid, dataset, test.count(),
                        scores.positional().meanKendallTau(), scores.positional().propWrong(), scores.positional().propAnyWrong(),
                        hedgedSum[0] / test.count(), scores.interchangeable().meanKendallTau());
            }
        }
    }

    /**
     * The true placement with the members of each group of identical content ({@code leaders}, as
     * {@link IdenticalItems#groupLeaders}) placed at random among the group's positions.
     */
    static int[] shuffledAmongIdentical(int[] leaders, int[] truth, SplittableRandom rng) {
        int n = truth.length;
        int[] out = truth.clone();
        int[] group = new int[n];
        for (int leader = 0; leader < n; leader++) {
            if (leaders[leader] != leader) {
                continue;
            }
            int size = 0;
            for (int j = leader; j < n; j++) {
                if (leaders[j] == leader) {
                    group[size++] = j;
                }
            }
            for (int a = size - 1; a > 0; a--) { // Fisher-Yates over the group's true positions
                int b = rng.nextInt(a + 1);
                int t = out[group[a]];
                out[group[a]] = out[group[b]];
                out[group[b]] = t;
            }
        }
        return out;
    }
}
