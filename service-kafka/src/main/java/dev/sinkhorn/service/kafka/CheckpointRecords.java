package dev.sinkhorn.service.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.sinkhorn.core.data.Sha256;
import dev.sinkhorn.v1.Checkpoint;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Checkpoint records on sinkhorn.checkpoints: key = "model/version" (UTF-8), on the partition of
 * the model name ({@link #partition}), so every version of a model keeps its own record under
 * compaction and all of them are on one partition, in order; value = protobuf Checkpoint. Records
 * from before 0.3.0 are keyed by the model name alone and are still read. A null value under
 * "model/version" (a tombstone) retires that version. Producers stamp the digest with
 * {@link #withDigest}; consumers {@link #decode} and get either a checked Checkpoint or the reason
 * to skip the record.
 */
public final class CheckpointRecords {
    /** Model names: also Kafka keys and file names. */
    public static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private CheckpointRecords() {
    }

    /**
     * Checks a model name given in a request field.
     *
     * @throws dev.sinkhorn.core.errors.InvalidInputException naming the field when it is empty or not a model name
     */
    public static String requireModelName(String field, String model) {
        if (model.isEmpty()) {
            throw new dev.sinkhorn.core.errors.InvalidInputException(field + " is required");
        }
        if (!MODEL_NAME.matcher(model).matches()) {
            throw new dev.sinkhorn.core.errors.InvalidInputException(field + ": '" + model + "' is not a model name ([A-Za-z0-9._-]{1,64})");
        }
        return model;
    }

    /** Sets sha256 to the digest of the parameters. */
    public static Checkpoint withDigest(Checkpoint.Builder b) {
        return b.setSha256(Sha256.of(b.getParameters().toByteArray())).build();
    }

    /** The key of records about a model as a whole (evaluations, decisions; checkpoints before 0.3.0). */
    public static byte[] key(String model) {
        return model.getBytes(StandardCharsets.UTF_8);
    }

    /** The key of one version's checkpoint record (and of its tombstone). */
    public static byte[] key(String model, long version) {
        return (model + "/" + version).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The partition of a model's records among {@code partitions}: the one Kafka's default
     * partitioner picks for the key {@link #key(String)}, so checkpoints, evaluations and
     * decisions of a model share a partition number, as checkpoints did before 0.3.0.
     */
    public static int partition(String model, int partitions) {
        byte[] key = key(model);
        return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key)) % partitions;
    }

    /** The model and version a "model/version" key names (a tombstone's), or empty for any other key. */
    public static java.util.Optional<VersionKey> versionKey(byte[] key) {
        String k = key == null ? "" : new String(key, StandardCharsets.UTF_8);
        int slash = k.lastIndexOf('/');
        if (slash < 1 || !MODEL_NAME.matcher(k.substring(0, slash)).matches() || !k.substring(slash + 1).matches("[1-9][0-9]{0,18}")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new VersionKey(k.substring(0, slash), Long.parseLong(k.substring(slash + 1))));
    }

    /** A model version named by a record key. */
    public record VersionKey(String model, long version) {
    }

    /** Why a record was skipped: a metric tag and a message. */
    public record Rejection(String reason, String message) {
    }

    /** A decoded record: exactly one of checkpoint and rejection is set. */
    public record Decoded(Checkpoint checkpoint, Rejection rejection) {
        public boolean ok() {
            return checkpoint != null;
        }
    }

    /** Parses and checks a record value: protobuf, model name, version, digest. (Spec and shapes are checked when loading.) */
    public static Decoded decode(byte[] key, byte[] value) {
        Checkpoint c;
        try {
            c = Checkpoint.parseFrom(value == null ? new byte[0] : value);
        } catch (InvalidProtocolBufferException e) {
            return rejected("unparseable", "value is not a protobuf Checkpoint: " + e.getMessage());
        }
        if (!MODEL_NAME.matcher(c.getModel()).matches()) {
            return rejected("invalid", "model name '" + c.getModel() + "' is not [A-Za-z0-9._-]{1,64}");
        }
        if (c.getVersion() == 0) {
            return rejected("invalid", c.getModel() + ": version 0 (versions start at 1)");
        }
        String k = key == null ? "" : new String(key, StandardCharsets.UTF_8);
        if (!k.equals(c.getModel() + "/" + c.getVersion()) && !k.equals(c.getModel())) {
            return rejected("invalid", "record key '" + k + "' is not '" + c.getModel() + "/" + c.getVersion()
                    + "' (nor the model name of records before 0.3.0)");
        }
        String digest = Sha256.of(c.getParameters().toByteArray());
        if (!digest.equals(c.getSha256())) {
            return rejected("sha256", c.getModel() + " v" + c.getVersion() + ": sha256 of parameters is " + digest
                    + " but the record says " + c.getSha256());
        }
        return new Decoded(c, null);
    }

    private static Decoded rejected(String reason, String message) {
        return new Decoded(null, new Rejection(reason, message));
    }
}
