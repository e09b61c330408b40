package dev.sinkhorn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.localkafka.LocalKafkaBroker;
import dev.sinkhorn.testing.ServiceProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services on a Kafka broker that requires SASL/SCRAM logins and allows nothing without an ACL
 * (StandardAuthorizer), as real processes configured only with kafka.* settings: trainer and
 * inference work with their own credentials and ACLs; an authenticated user without ACLs cannot
 * write to sinkhorn.checkpoints, and a client without credentials does not get in at all.
 */
class SecuredKafkaTest {
    @TempDir
    static Path dir;
    private static LocalKafkaBroker broker;
    private static final ServiceProcess MATCHER = new ServiceProcess("matcher-service");
    private static final ServiceProcess INFERENCE = new ServiceProcess("inference-service");
    private static final ServiceProcess TRAINER = new ServiceProcess("trainer-service");

    @BeforeAll
    static void startOnASecuredBroker() throws Exception {
        broker = LocalKafkaBroker.withScram(Files.createDirectories(dir.resolve("kafka")), "admin-secret").start();
        try (Admin admin = Admin.create(clientConfig(broker.adminClientProperties()))) {
            ScramCredentialInfo scram = new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192);
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("trainer", scram, "trainer-secret"),
                    new UserScramCredentialUpsertion("inference", scram, "inference-secret"),
                    new UserScramCredentialUpsertion("intruder", scram, "intruder-secret"))).all().get(30, TimeUnit.SECONDS);
            // What the services need, and no more: their topics (created at start), and the inference group.
            List<AclBinding> acls = new java.util.ArrayList<>();
            for (String user : List.of("trainer", "inference")) {
                for (AclOperation op : List.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.CREATE,
                        AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS)) {
                    acls.add(allow(user, new ResourcePattern(ResourceType.TOPIC, "sinkhorn.", PatternType.PREFIXED), op));
                }
                acls.add(allow(user, new ResourcePattern(ResourceType.GROUP, "sinkhorn-", PatternType.PREFIXED), AclOperation.READ));
            }
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
        }
        MATCHER.start();
        INFERENCE.with("inference.eval-limit", "500").with("quarkus.grpc.clients.matcher.port", String.valueOf(MATCHER.grpcPort()));
        secured(INFERENCE, "inference", "inference-secret").start();
        secured(TRAINER, "trainer", "trainer-secret").with("trainer.final-evaluation-wait", "120S").start();
    }

    @AfterAll
    static void stop() {
        TRAINER.stop();
        INFERENCE.stop();
        MATCHER.stop();
        if (broker != null) {
            broker.stop();
        }
    }

    private static AclBinding allow(String user, ResourcePattern pattern, AclOperation op) {
        return new AclBinding(pattern, new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
    }

    private static ServiceProcess secured(ServiceProcess p, String user, String password) {
        p.with("kafka.bootstrap.servers", broker.bootstrapServers());
        LocalKafkaBroker.scramClientProperties(user, password).forEach((k, v) -> p.with("kafka." + k, v));
        return p;
    }

    private static Map<String, Object> clientConfig(Map<String, String> security) {
        Map<String, Object> config = new HashMap<>(security);
        config.put("bootstrap.servers", broker.bootstrapServers());
        config.put("max.block.ms", 5000);
        config.put("delivery.timeout.ms", 5000);
        config.put("request.timeout.ms", 4000);
        return config;
    }

    @Test
    void theServicesTrainAndEvaluateWithTheirCredentials() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SinkhornCli.run(new String[] {"--trainer=127.0.0.1:" + TRAINER.grpcPort(), "--inference=127.0.0.1:"
                + INFERENCE.grpcPort(), "train", "--model", "on-scram", "--epochs", "1", "--train-limit", "1600"},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        assertTrue(err.toString().contains("checkpoint on-scram v1 published"), err.toString());
        assertTrue(err.toString().contains("evaluation of v1 on 500 mnist test images"), "read and written by inference: " + err);
    }

    @Test
    void anAuthenticatedUserWithoutAclsCannotWriteCheckpoints() {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(clientConfig(LocalKafkaBroker.scramClientProperties("intruder",
                "intruder-secret")), new ByteArraySerializer(), new ByteArraySerializer())) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> p.send(new ProducerRecord<>("sinkhorn.checkpoints", "on-scram".getBytes(), new byte[] {1})).get());
            assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
        }
    }

    @Test
    void aClientWithoutCredentialsDoesNotGetIn() {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(clientConfig(Map.of()), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            Exception e = assertThrows(Exception.class,
                    () -> p.send(new ProducerRecord<>("sinkhorn.checkpoints", "on-scram".getBytes(), new byte[] {1})).get());
            assertTrue(e.toString().contains("Timeout") || e.toString().contains("Authentication"), e.toString());
        }
    }
}
