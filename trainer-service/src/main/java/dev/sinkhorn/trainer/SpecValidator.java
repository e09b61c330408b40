package dev.sinkhorn.trainer;

import dev.sinkhorn.core.data.DatasetResolver;
import dev.sinkhorn.core.errors.InvalidInputException;
import dev.sinkhorn.core.errors.PreconditionFailedException;
import dev.sinkhorn.core.model.Devices;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.sorting.UniformRange;
import dev.sinkhorn.core.training.LearningRateSchedule;
import dev.sinkhorn.service.grpc.ModelSpecs;
import dev.sinkhorn.service.kafka.CheckpointRecords;
import dev.sinkhorn.v1.TrainingSpec;
import java.util.ArrayList;
import java.util.List;

/** Checks a TrainingSpec (defaults filled) field by field; the failure names every bad field. */
final class SpecValidator {
    private SpecValidator() {
    }

    static void validate(TrainingSpec s, TrainerConfig config) {
        List<String> problems = new ArrayList<>();
        if (!CheckpointRecords.MODEL_NAME.matcher(s.getModel()).matches()) {
            problems.add("model: '" + s.getModel() + "' must match [A-Za-z0-9._-]{1,64} (it is required)");
        }
        boolean sorting = s.getSpec().getTask().equals(ModelSpec.SORTING);
        String dataset = sorting ? sortingDataset(s.getDataset()) : DatasetResolver.validateName(s.getDataset());
        if (sorting) {
            if (dataset != null) {
                problems.add("dataset: " + dataset);
            }
            if (s.getSteps() < 1 || s.getSteps() > config.maxSteps()) {
                problems.add("steps: must be 1 to " + config.maxSteps() + " for task \"sorting\", got "
                        + Integer.toUnsignedString(s.getSteps()));
            }
            if (s.getTrainLimit() != 0) {
                problems.add("train_limit: only for task \"jigsaw\" (sorting draws fresh lists every step)");
            }
        } else if (s.getSteps() != 0) {
            problems.add("steps: only for task \"sorting\"; a jigsaw epoch is one pass over the training images "
                    + "(train_limit shortens it)");
        } else if (dataset != null) {
            problems.add("dataset: " + dataset);
        } else if (DatasetResolver.missingIdxFiles(s.getDataset()) != null) {
            problems.add("dataset: " + DatasetResolver.missingIdxFiles(s.getDataset()));
        }
        if (!Presets.known(s.getPreset())) {
            problems.add("preset: '" + s.getPreset() + "' is unknown; use \"seed\", \"fast\", \"context\", \"fashion\" or \"sorting\"");
        }
        if (!List.of(LearningRateSchedule.CONSTANT_NAME, LearningRateSchedule.COSINE_NAME).contains(s.getLearningRateSchedule())) {
            problems.add("learning_rate_schedule: must be \"constant\" or \"cosine\", got '" + s.getLearningRateSchedule() + "'");
        }
        if (!List.of(Presets.NO_AUGMENT, Presets.MIRROR).contains(s.getAugment())) {
            problems.add("augment: must be \"none\" or \"mirror\", got '" + s.getAugment() + "'");
        } else if (sorting && !s.getAugment().equals(Presets.NO_AUGMENT)) {
            problems.add("augment: \"" + s.getAugment() + "\" is for task \"jigsaw\" (images); sorting takes \"none\"");
        }
        if (s.getEpochs() < 1 || s.getEpochs() > config.maxEpochs()) {
            problems.add("epochs: must be 1 to " + config.maxEpochs() + ", got " + Integer.toUnsignedString(s.getEpochs()));
        }
        if (s.getBatchSize() < 1 || s.getBatchSize() > config.maxBatchSize()) {
            problems.add("batch_size: must be 1 to " + config.maxBatchSize() + ", got " + Integer.toUnsignedString(s.getBatchSize()));
        }
        if (!(s.getLearningRate() > 0) || !Float.isFinite(s.getLearningRate()) || s.getLearningRate() > 1) {
            problems.add("learning_rate: must be in (0, 1], got " + s.getLearningRate());
        }
        if (s.getNSamples() < 1 || s.getNSamples() > config.maxSamples()) {
            problems.add("n_samples: must be 1 to " + config.maxSamples() + ", got " + Integer.toUnsignedString(s.getNSamples()));
        }
        if (!(s.getNoiseFactor() >= 0) || !Float.isFinite(s.getNoiseFactor())) {
            problems.add("noise_factor: must be >= 0 and finite, got " + s.getNoiseFactor());
        }
        if (!List.of("auto", "cpu", "gpu").contains(s.getDevice())) {
            problems.add("device: must be \"auto\", \"cpu\" or \"gpu\", got '" + s.getDevice() + "'");
        }
        if (s.getTrainLimit() < 0) {
            problems.add("train_limit: must be >= 0");
        }
        // in_channels and image_size come from the data set when unset; check the rest now.
        ModelSpec spec = ModelSpecs.toCore(s.getSpec());
        ModelSpec probe = spec.isSorting() ? spec
                : spec.withImages(spec.inChannels() == 0 ? 1 : spec.inChannels(), spec.imageSize() == 0 ? 28 : spec.imageSize());
        for (String p : probe.problems()) {
            problems.add("spec." + p);
        }
        if (sorting != s.getPreset().equals(Presets.SORTING) && Presets.known(s.getPreset())) {
            problems.add(sorting ? "preset: \"" + s.getPreset() + "\" is a jigsaw recipe; use \"sorting\" (or none) for task \"sorting\""
                    : "preset: \"sorting\" is for task \"sorting\", not \"" + s.getSpec().getTask() + "\"");
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException("invalid TrainingSpec: " + String.join("; ", problems));
        }
        if (s.getDevice().equals("gpu") && Devices.gpuCount() == 0) {
            throw new PreconditionFailedException("device: \"gpu\" was asked for but DJL finds no GPU on this trainer; "
                    + "use \"auto\" or \"cpu\"");
        }
    }

    /** What is wrong with a sorting data set name, or null. */
    private static String sortingDataset(String name) {
        if (!UniformRange.isUniform(name)) {
            return "'" + name + "' is not a data set of task \"sorting\"; use \"uniform\" or \"uniform:<low>:<high>\"";
        }
        try {
            UniformRange.parse(name);
            return null;
        } catch (InvalidInputException e) {
            return e.getMessage();
        }
    }
}
