package dev.sinkhorn.trainer;

import ai.djl.MalformedModelException;
import com.google.protobuf.ByteString;
import dev.sinkhorn.core.data.Dataset;
import dev.sinkhorn.core.data.DatasetResolver;
import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.errors.InvalidInputException;
import dev.sinkhorn.core.model.Devices;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.core.sorting.UniformRange;
import dev.sinkhorn.core.training.EpochResult;
import dev.sinkhorn.core.training.EpochTrainer;
import dev.sinkhorn.core.training.JigsawTrainer;
import dev.sinkhorn.core.training.LearningRateSchedule;
import dev.sinkhorn.core.training.SortingTrainer;
import dev.sinkhorn.core.training.TrainingSettings;
import dev.sinkhorn.service.grpc.ModelSpecs;
import dev.sinkhorn.service.kafka.KafkaClients;
import dev.sinkhorn.v1.Checkpoint;
import dev.sinkhorn.v1.EpochEnd;
import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.Progress;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs one job on this replica: loads the data set, builds (or resumes) the model, trains epoch by
 * epoch with throttled Progress events, and after every epoch (and when it is cancelled or handed
 * over) hands a checkpoint to the {@link CheckpointPublisher}. The job succeeds only once Kafka
 * acknowledged all of them. A job handed over is suspended, not ended: the next owner of its
 * partition resumes it from its newest checkpoint.
 */
@ApplicationScoped
public class JobRunner {
    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    @Inject
    TrainerConfig config;
    @Inject
    CheckpointPublisher publisher;
    @Inject
    MeterRegistry metrics;
    @Inject
    KafkaClients kafka;
    @Inject
    JobLog log;
    @ConfigProperty(name = "quarkus.grpc.server.port")
    int grpcPort;

    /** This replica's name in the jobs it runs: the pod's (HOSTNAME) or the host's, and its gRPC port. */
    private String replica;

    private final DatasetResolver datasets = DatasetResolver.fromEnvironment(LOG::info);
    private Counter steps;
    private Counter images;
    private final AtomicReference<Double> lastLoss = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> lastRate = new AtomicReference<>(0.0);

    @PostConstruct
    void init() {
        replica = ReplicaName.of(grpcPort);
        steps = metrics.counter("sinkhorn.trainer.steps");
        images = metrics.counter("sinkhorn.trainer.images");
        metrics.gauge("sinkhorn.trainer.loss", lastLoss, AtomicReference::get);
        metrics.gauge("sinkhorn.trainer.images.per.second", lastRate, AtomicReference::get);
    }

    /**
     * Runs the job here (from its start, or on from its newest checkpoint when another replica ran
     * it before) until it ends or is handed over.
     *
     * @return true if the job ended (or had ended), false if it was suspended for another replica
     */
    boolean run(Job job) {
        if (job.finished()) {
            return true; // cancelled while it waited
        }
        if (job.suspendRequested()) {
            return false; // handed over before its turn came: the partition's new owner runs it
        }
        job.runHere(log, replica);
        SinkhornModel model = null;
        try {
            publisher.forget(job.model()); // another replica may have published this model meanwhile
            TrainingSpec spec = job.spec();
            // Sorting draws its lists as it trains: no data set to load.
            Dataset data = isSorting(spec) ? null : datasets.load(spec.getDataset());
            Start start = start(job, spec, data);
            model = start.model();
            job.started(start.resumedFrom(), start.lastEpoch());
            spec = job.spec();
            EpochTrainer trainer = trainer(model, spec, data, start);
            List<CompletableFuture<Long>> deliveries = new ArrayList<>();
            ProgressReporter progress = new ProgressReporter(job, start.lastEpoch() - start.epochOffset(), trainer.stepsPerEpoch());
            for (int e = start.epochOffset() + 1; e <= start.lastEpoch(); e++) {
                EpochResult r = trainer.epoch(e, progress, job::stopRequested);
                if (r.steps() > 0) {
                    job.emit(TrainingEvent.newBuilder().setEpochEnd(EpochEnd.newBuilder().setEpoch(e)
                            .setMeanLoss(r.meanLoss()).setSeconds(r.seconds())));
                    Checkpoint.Builder c = checkpoint(job, model, datasetName(spec, data), e, r.meanLoss());
                    if (r.cancelled()) {
                        c.setStepsIntoEpoch(r.steps()); // part-way through the epoch
                    }
                    deliveries.add(publisher.publish(job, c));
                }
                failIfUndeliverable(deliveries);
                if (r.cancelled()) {
                    break;
                }
            }
            for (CompletableFuture<Long> d : deliveries) {
                d.get(config.checkpointDeliveryTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            }
            if (job.cancelRequested()) {
                job.finish(JobState.CANCELLED, "cancelled at the client's request");
            } else if (job.suspendRequested()) {
                return suspend(job, "");
            } else {
                job.awaitEvaluation(config.finalEvaluationWait().toMillis());
                job.finish(JobState.SUCCEEDED, "");
            }
        } catch (ExecutionException e) {
            return failOrSuspend(job, e.getCause());
        } catch (Exception | Error e) {
            // An Error too (a native library failing, memory): the job must end, not stay RUNNING.
            return failOrSuspend(job, e);
        } finally {
            if (model != null) {
                model.close();
            }
        }
        return true;
    }

    /** A failure while the job was being handed over suspends it all the same: the next owner resumes from what was published. */
    private boolean failOrSuspend(Job job, Throwable e) {
        if (job.suspendRequested() && !job.cancelRequested()) {
            return suspend(job, " (" + e.getMessage() + ")");
        }
        fail(job, e);
        return true;
    }

    private boolean suspend(Job job, String note) {
        long v = job.snapshot().getLatestVersion();
        String why = (job.suspendEndsStreams() ? "the trainer " + replica + " shut down" : "its partition of sinkhorn.jobs moved")
                + "; the next owner resumes the job from checkpoint v" + v + note;
        LOG.infof("job %s (%s) suspended: %s", job.id(), job.model(), why);
        job.suspend(v, why, job.suspendEndsStreams());
        return false;
    }

    private void fail(Job job, Throwable e) {
        LOG.errorf(e, "job %s (%s) failed", job.id(), job.model());
        job.finish(JobState.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
    }

    private static void failIfUndeliverable(List<CompletableFuture<Long>> deliveries) throws Exception {
        for (CompletableFuture<Long> d : deliveries) {
            if (d.isCompletedExceptionally()) {
                d.get(); // throws the delivery failure
            }
        }
    }

    /**
     * Where an attempt starts: its model, the epochs done before it (epochs epochOffset + 1 to
     * lastEpoch are trained) and the checkpoint it resumed from after another replica ran the job
     * (0: none).
     */
    private record Start(SinkhornModel model, int epochOffset, int lastEpoch, long resumedFrom) {
    }

    /**
     * The job's own newest checkpoint when another replica ran it before (attempt > 1); else a
     * fresh model, or with resume = true the newest checkpoint of the model (whose spec then wins).
     */
    private Start start(Job job, TrainingSpec spec, Dataset data) throws MalformedModelException {
        ImageSet train = data == null ? null : data.train();
        if (job.attempt() > 1) {
            Optional<Checkpoint> own = CheckpointLog.read(kafka, spec.getModel(), Duration.ofSeconds(30)).checkpoint()
                    .filter(c -> c.getJobId().equals(job.id()));
            if (own.isPresent()) {
                Checkpoint c = own.get();
                ModelSpec resumed = ModelSpecs.toCore(c.getSpec());
                checkFits(resumed, train, spec.getDataset());
                job.resolveSpec(spec.toBuilder().setSpec(c.getSpec()).build());
                int done = c.getStepsIntoEpoch() > 0 ? c.getEpoch() - 1 : c.getEpoch(); // an interrupted epoch is trained again
                int last = job.lastEpoch() > 0 ? job.lastEpoch() : spec.getEpochs();
                LOG.infof("job %s (attempt %d) resumes %s from its own v%d (epoch %d of %d)", job.id(), job.attempt(),
                        spec.getModel(), c.getVersion(), done, last);
                return new Start(SinkhornModel.fromParameters(resumed, c.getPixelMean(), c.getPixelStd(),
                        c.getParameters().toByteArray(), Devices.forName(spec.getDevice())), done, last, c.getVersion());
            }
        }
        if (spec.getResume()) {
            CheckpointLog.Newest newest = CheckpointLog.read(kafka, spec.getModel(), Duration.ofSeconds(30));
            if (newest.checkpoint().isPresent()) {
                Checkpoint c = newest.checkpoint().get();
                ModelSpec resumed = ModelSpecs.toCore(c.getSpec());
                checkFits(resumed, train, spec.getDataset());
                job.resolveSpec(spec.toBuilder().setSpec(c.getSpec()).build());
                LOG.infof("job %s resumes %s from v%d (epoch %d)", job.id(), spec.getModel(), c.getVersion(), c.getEpoch());
                int done = c.getStepsIntoEpoch() > 0 ? c.getEpoch() - 1 : c.getEpoch(); // an interrupted epoch is trained again
                return new Start(SinkhornModel.fromParameters(resumed, c.getPixelMean(), c.getPixelStd(),
                        c.getParameters().toByteArray(), Devices.forName(spec.getDevice())), done, done + spec.getEpochs(), 0);
            }
            LOG.infof("job %s: nothing to resume for %s; starting fresh", job.id(), spec.getModel());
        }
        dev.sinkhorn.v1.ModelSpec.Builder s = spec.getSpec().toBuilder();
        if (train != null && s.getInChannels() == 0) {
            s.setInChannels(train.channels());
        }
        if (train != null && s.getImageSize() == 0) {
            s.setImageSize(train.height());
        }
        ModelSpec core = ModelSpecs.toCore(s.build());
        checkFits(core, train, spec.getDataset());
        job.resolveSpec(spec.toBuilder().setSpec(s).build());
        float mean = data == null ? 0f : data.pixelMean(); // sorting: lists go in as they are
        float std = data == null ? 1f : data.pixelStd();
        return new Start(SinkhornModel.initialize(core, mean, std, Devices.forName(spec.getDevice()), spec.getSeed()),
                0, spec.getEpochs(), 0);
    }

    private static boolean isSorting(TrainingSpec spec) {
        return spec.getSpec().getTask().equals(ModelSpec.SORTING);
    }

    /**
     * The task's trainer: passes over the images for jigsaw, epochs of ceil(steps / epochs) steps
     * for sorting. A cosine schedule spans the attempt's whole run (epochs 1 to lastEpoch of a job,
     * the new epochs of a resumed one), continued where it was when the attempt starts part-way.
     */
    private static EpochTrainer trainer(SinkhornModel model, TrainingSpec spec, Dataset data, Start start) {
        long perEpoch = model.spec().isSorting() ? (spec.getSteps() + spec.getEpochs() - 1) / spec.getEpochs()
                : JigsawTrainer.stepsPerEpoch(data.train(), spec.getTrainLimit(), spec.getBatchSize());
        TrainingSettings settings = settings(spec, perEpoch, start.epochOffset(), start.lastEpoch());
        if (model.spec().isSorting()) {
            return new SortingTrainer(model, settings, UniformRange.parse(spec.getDataset()), perEpoch);
        }
        return new JigsawTrainer(model, settings).over(data.train(), spec.getTrainLimit());
    }

    /** How an attempt that trains epochs epochOffset + 1 to lastEpoch of the job trains. */
    static TrainingSettings settings(TrainingSpec spec, long stepsPerEpoch, int epochOffset, int lastEpoch) {
        return new TrainingSettings(spec.getBatchSize(), spec.getLearningRate(), spec.getNSamples(), spec.getNoiseFactor(),
                spec.getSeed(), schedule(spec, stepsPerEpoch, epochOffset, lastEpoch), spec.getAugment().equals(Presets.MIRROR));
    }

    /**
     * The attempt's schedule: a cosine spans the job's run (its epochs, ending at lastEpoch; a
     * resumed job's run starts after the epoch it resumed from) and starts where epochOffset is on it.
     */
    static LearningRateSchedule schedule(TrainingSpec spec, long stepsPerEpoch, int epochOffset, int lastEpoch) {
        if (!spec.getLearningRateSchedule().equals(LearningRateSchedule.COSINE_NAME)) {
            return LearningRateSchedule.CONSTANT;
        }
        int runStart = Math.max(0, lastEpoch - spec.getEpochs());
        return LearningRateSchedule.cosine(stepsPerEpoch * (lastEpoch - runStart), stepsPerEpoch * Math.max(0, epochOffset - runStart));
    }

    private static String datasetName(TrainingSpec spec, Dataset data) {
        return data == null ? UniformRange.parse(spec.getDataset()).name() : data.name();
    }

    /** A spec that is valid for its task and, for jigsaw, fits the training images (train is null for sorting). */
    private static void checkFits(ModelSpec spec, ImageSet train, String dataset) {
        List<String> problems = spec.problems();
        if (!problems.isEmpty()) {
            throw new InvalidInputException("invalid spec: " + String.join("; ", problems));
        }
        if (spec.isSorting() != (train == null)) {
            throw new InvalidInputException("a " + spec.task() + " model cannot train on data set " + dataset);
        }
        if (train != null) {
            spec.requireFits(train, dataset + " training images");
        }
    }

    private static Checkpoint.Builder checkpoint(Job job, SinkhornModel model, String dataset, int epoch, double loss) {
        return Checkpoint.newBuilder().setModel(job.model()).setJobId(job.id()).setEpoch(epoch)
                .setSpec(ModelSpecs.toProto(model.spec())).setParameters(ByteString.copyFrom(model.parameters()))
                .setTrainLoss(loss).setCreatedAtMs(System.currentTimeMillis()).setDataset(dataset)
                .setPixelMean(model.pixelMean()).setPixelStd(model.pixelStd());
    }

    /** Emits Progress at most every trainer.progress-interval, and keeps the metrics current. */
    private final class ProgressReporter implements dev.sinkhorn.core.training.StepListener {
        private final Job job;
        private final long totalSteps;
        private final long intervalNanos = config.progressInterval().toNanos();
        private final long started = System.nanoTime();
        private long last = System.nanoTime();
        private double lossSum;
        private long imagesSince;
        private long stepsDone;

        ProgressReporter(Job job, int epochs, long stepsPerEpoch) {
            this.job = job;
            this.totalSteps = stepsPerEpoch * epochs;
        }

        @Override
        public void afterStep(int epoch, long step, long stepsPerEpoch, double loss, int n) {
            steps.increment();
            images.increment(n);
            stepsDone++;
            lossSum += loss;
            imagesSince += n;
            long now = System.nanoTime();
            if (now - last < intervalNanos && step != stepsPerEpoch) {
                return;
            }
            double seconds = (now - last) / 1e9;
            double rate = imagesSince / seconds;
            double perStep = (now - started) / 1e9 / stepsDone;
            lastLoss.set(lossSum / imagesSince);
            lastRate.set(rate);
            job.emit(TrainingEvent.newBuilder().setProgress(Progress.newBuilder().setEpoch(epoch).setStep(step)
                    .setStepsPerEpoch(stepsPerEpoch).setLoss(lossSum / imagesSince).setImagesPerSecond(rate)
                    .setEtaSeconds(Math.max(0, totalSteps - stepsDone) * perStep)));
            last = now;
            lossSum = 0;
            imagesSince = 0;
        }
    }
}
