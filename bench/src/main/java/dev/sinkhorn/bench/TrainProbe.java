package dev.sinkhorn.bench;

import ai.djl.Device;
import dev.sinkhorn.core.data.Dataset;
import dev.sinkhorn.core.data.DatasetResolver;
import dev.sinkhorn.core.matching.PermutationScores;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.core.training.EpochResult;
import dev.sinkhorn.core.training.JigsawEvaluation;
import dev.sinkhorn.core.training.JigsawTrainer;
import dev.sinkhorn.core.training.LearningRateSchedule;
import dev.sinkhorn.core.training.TrainingSettings;

/**
 * Trains one setting and prints, per epoch, throughput and the full-test-set score; after the last,
 * what the misplaced pieces are made of ({@link MisplacedPieces}).
 * Arguments: grid epochs learningRate [limit] [hidden] [tau] [nSamples] [batch] [seed] [nIter] [dataset]
 * [architecture: per-piece, or context:LAYERS:HEADS:WIDTH, or context:LAYERS:HEADS:WIDTH:edges (edge attention)]
 * [schedule: constant, or cosine (to 0 over the epochs)]
 * [mirror: true or false] [evaluate every K epochs (and after the last); default 1].
 */
public final class TrainProbe {
    public static void main(String[] a) {
        System.setProperty("ai.djl.offline", "true");
        int grid = Integer.parseInt(a[0]);
        int epochs = Integer.parseInt(a[1]);
        float lr = Float.parseFloat(a[2]);
        int limit = a.length > 3 ? Integer.parseInt(a[3]) : 0;
        int hidden = a.length > 4 ? Integer.parseInt(a[4]) : 32;
        float tau = a.length > 5 ? Float.parseFloat(a[5]) : 0.1f;
        int samples = a.length > 6 ? Integer.parseInt(a[6]) : 1;
        int batch = a.length > 7 ? Integer.parseInt(a[7]) : 64;
        long seed = a.length > 8 ? Long.parseLong(a[8]) : 0;
        int nIter = a.length > 9 ? Integer.parseInt(a[9]) : 20;
        String datasetName = a.length > 10 ? a[10] : "mnist";
        Dataset mnist = DatasetResolver.fromEnvironment(System.err::println).load(datasetName);
        ModelSpec spec = ModelSpec.jigsaw(1, 28, grid, hidden, 5, tau, nIter);
        if (a.length > 11 && a[11].startsWith("context")) {
            String[] c = a[11].split(":");
            spec = spec.withContext(Integer.parseInt(c[1]), Integer.parseInt(c[2]), Integer.parseInt(c[3]))
                    .withEdgeAttention(c.length > 4 && c[4].equals("edges"));
        }
        try (SinkhornModel model = SinkhornModel.initialize(spec, mnist.pixelMean(), mnist.pixelStd(), Device.cpu(), seed)) {
            int every = a.length > 14 ? Math.max(1, Integer.parseInt(a[14])) : 1;
            boolean cosine = a.length > 12 && a[12].equals("cosine");
            boolean mirror = a.length > 13 && Boolean.parseBoolean(a[13]);
            LearningRateSchedule schedule = cosine ? LearningRateSchedule.cosine(epochs * JigsawTrainer.stepsPerEpoch(mnist.train(), limit, batch), 0)
                    : LearningRateSchedule.CONSTANT;
            JigsawTrainer t = new JigsawTrainer(model, new TrainingSettings(batch, lr, samples, 1f, seed, schedule, mirror));
            double trainSeconds = 0;
            for (int e = 1; e <= epochs; e++) {
                EpochResult r = t.epoch(mnist.train(), limit, e, (ep, s, n, l, i) -> { }, () -> false);
                trainSeconds += r.seconds();
                if (e % every != 0 && e != epochs) {
                    System.out.printf("epoch %d loss %.3f %.0f img/s train %.1f s total%n", e, r.meanLoss(), r.images() / r.seconds(),
                            trainSeconds);
                    continue;
                }
                MisplacedPieces errors = new MisplacedPieces(); // tabled after the last epoch only
                JigsawEvaluation.Result res = e == epochs ? JigsawEvaluation.evaluate(model, mnist.test(), 10000, 2018, errors)
                        : JigsawEvaluation.evaluate(model, mnist.test(), 10000, 2018);
                PermutationScores s = res.positional();
                PermutationScores i = res.interchangeable();
                System.out.printf("epoch %d loss %.3f %.0f img/s train %.1f s total | test tau %.4f wrong %.4f any %.4f"
                                + " | identical pieces interchangeable: tau %.4f any %.4f%n", e, r.meanLoss(), r.images() / r.seconds(),
                        trainSeconds, s.meanKendallTau(), s.propWrong(), s.propAnyWrong(), i.meanKendallTau(), i.propAnyWrong());
                if (e == epochs) {
                    System.out.print(errors.table());
                }
            }
        }
    }
}
