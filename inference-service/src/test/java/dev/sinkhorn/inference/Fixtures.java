package dev.sinkhorn.inference;

import ai.djl.Device;
import com.google.protobuf.ByteString;
import dev.sinkhorn.core.model.ModelSpec;
import dev.sinkhorn.core.model.SinkhornModel;
import dev.sinkhorn.service.grpc.ModelSpecs;
import dev.sinkhorn.service.kafka.CheckpointRecords;
import dev.sinkhorn.service.kafka.KafkaClients;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.service.kafka.WholeTopicReader;
import dev.sinkhorn.testing.KafkaTestBroker;
import dev.sinkhorn.v1.Checkpoint;
import dev.sinkhorn.v1.Decision;
import dev.sinkhorn.v1.Evaluation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/** Checkpoints and evaluations on the real broker, for the inference tests. */
final class Fixtures {
    static final ModelSpec SEED_SPEC = ModelSpec.seed(1, 28);
    static final float MNIST_MEAN = 0.1307f;
    static final float MNIST_STD = 0.3081f;

    private Fixtures() {
    }

    static KafkaClients kafka() {
        return KafkaClients.of(KafkaTestBroker.bootstrapServers());
    }

    static SinkhornModel newModel(ModelSpec spec) {
        return SinkhornModel.initialize(spec, MNIST_MEAN, MNIST_STD, Device.cpu());
    }

    static Checkpoint checkpoint(String name, long version, SinkhornModel model) {
        return CheckpointRecords.withDigest(Checkpoint.newBuilder().setModel(name).setVersion(version).setJobId("test-job")
                .setEpoch((int) version).setSpec(ModelSpecs.toProto(model.spec()))
                .setParameters(ByteString.copyFrom(model.parameters())).setDataset("mnist")
                .setPixelMean(model.pixelMean()).setPixelStd(model.pixelStd()).setTrainLoss(1.0)
                .setCreatedAtMs(System.currentTimeMillis()));
    }

    /** Publishes a checkpoint as the trainer does: key "model/version". */
    static void publish(Checkpoint c) {
        publishRaw(c.getModel() + "/" + c.getVersion(), c.toByteArray());
    }

    /** Publishes a checkpoint as trainers before 0.3.0 did: key = the model name. */
    static void publishUnderModelKey(Checkpoint c) {
        publishRaw(c.getModel(), c.toByteArray());
    }

    /** Publishes a lifecycle decision as an inference replica does. */
    static void publishDecision(Decision d) {
        publishRaw(PipelineTopics.DECISIONS, d.getModel(), d.toByteArray());
    }

    static void publishRaw(String key, byte[] value) {
        publishRaw(PipelineTopics.CHECKPOINTS, key, value);
    }

    static void publishRaw(String topic, String key, byte[] value) {
        // The first test of a JVM may publish before any service created the topics.
        try (Admin admin = kafka().admin()) {
            PipelineTopics.ensure(admin, 1, (short) 1, Duration.ofSeconds(30));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        try (KafkaProducer<byte[], byte[]> p = kafka().producer(Map.of())) {
            p.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value))
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The checkpoint of that model and version as it is on the topic. */
    static Checkpoint readCheckpoint(String model, long version) {
        Checkpoint[] found = {null};
        WholeTopicReader.readToEnd(kafka(), PipelineTopics.CHECKPOINTS, Duration.ofSeconds(30), r -> {
            CheckpointRecords.Decoded d = CheckpointRecords.decode(r.key(), r.value());
            if (d.ok() && d.checkpoint().getModel().equals(model) && d.checkpoint().getVersion() == version) {
                found[0] = d.checkpoint();
            }
        });
        if (found[0] == null) {
            throw new AssertionError("no checkpoint " + model + " v" + version + " on the topic");
        }
        return found[0];
    }

    /** Waits (reading sinkhorn.decisions from its beginning) for a Decision matching the predicate. */
    static Decision awaitDecision(Predicate<Decision> wanted, Duration timeout) {
        return awaitRecord(PipelineTopics.DECISIONS, Decision::parseFrom, wanted, timeout);
    }

    /** Waits (reading sinkhorn.evaluations from its beginning) for an Evaluation matching the predicate. */
    static Evaluation awaitEvaluation(Predicate<Evaluation> wanted, Duration timeout) {
        return awaitRecord(PipelineTopics.EVALUATIONS, Evaluation::parseFrom, wanted, timeout);
    }

    /** How a record value becomes a message. */
    interface Parser<T> {
        T parse(byte[] value) throws com.google.protobuf.InvalidProtocolBufferException;
    }

    /** Waits (reading the topic from its beginning) for a record whose message matches the predicate. */
    static <T> T awaitRecord(String topic, Parser<T> parser, Predicate<T> wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> c = kafka().consumer(Map.of())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    T message = parser.parse(r.value());
                    if (wanted.test(message)) {
                        return message;
                    }
                }
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError("a record on " + topic + " that does not parse", e);
        }
        throw new AssertionError("no matching record on " + topic + " within " + timeout);
    }

}
