package dev.sinkhorn.service.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.sinkhorn.core.data.Sha256;
import dev.sinkhorn.v1.Checkpoint;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Checkpoint records on sinkhorn.checkpoints: key = model name (UTF-8), value = protobuf
 * Checkpoint. Producers stamp the digest with {@link #withDigest}; consumers {@link #decode} and
 * get either a checked Checkpoint or the reason to skip the record.
 */
public final class CheckpointRecords {
    /** Model names: also Kafka keys and file names. */
    public static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private CheckpointRecords() {
    }

    /** Sets sha256 to the digest of the parameters. */
    public static Checkpoint withDigest(Checkpoint.Builder b) {
        return b.setSha256(Sha256.of(b.getParameters().toByteArray())).build();
    }

    public static byte[] key(String model) {
        return model.getBytes(StandardCharsets.UTF_8);
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
        String k = key == null ? "" : new String(key, StandardCharsets.UTF_8);
        if (!k.equals(c.getModel())) {
            return rejected("invalid", "record key '" + k + "' differs from model name '" + c.getModel() + "'");
        }
        if (c.getVersion() == 0) {
            return rejected("invalid", c.getModel() + ": version 0 (versions start at 1)");
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
