package dev.sinkhorn.trainer;

import dev.sinkhorn.service.kafka.KafkaClients;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.service.kafka.WholeTopicReader;
import dev.sinkhorn.v1.Decision;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** Reads sinkhorn.decisions to its end: the newest lifecycle decision of a model (its whole state). */
final class DecisionLog {
    private DecisionLog() {
    }

    static Optional<Decision> newest(KafkaClients kafka, String model, Duration timeout) {
        Decision[] newest = {null};
        WholeTopicReader.readToEnd(kafka, PipelineTopics.DECISIONS, timeout, r -> {
            if (r.value() != null && r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals(model)) {
                try {
                    newest[0] = Decision.parseFrom(r.value());
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    // not a Decision: skipped, as the inference service skips it
                }
            }
        });
        return Optional.ofNullable(newest[0]);
    }
}
