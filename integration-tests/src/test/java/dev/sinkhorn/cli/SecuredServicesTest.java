package dev.sinkhorn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.testing.KafkaTestBroker;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.testing.ServiceProcess;
import io.smallrye.certs.CertificateGenerator;
import io.smallrye.certs.CertificateRequest;
import io.smallrye.certs.Format;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The three services secured as the Kubernetes base runs them, as real processes: TLS with client
 * certificates required on every gRPC server, bearer tokens with roles, the inference service
 * calling the matcher over mutual TLS with its own token. Certificates and keys are made here, in
 * target/, never committed. Driven through the `sinkhorn` CLI with its --tls-* and --token flags.
 */
@RequiresKafka
class SecuredServicesTest {
    private static final Path DIR = Path.of("target", "secured-services").toAbsolutePath();
    private static final String ISSUER = "https://sinkhorn.test";
    private static final ServiceProcess MATCHER = new ServiceProcess("matcher-service");
    private static final ServiceProcess INFERENCE = new ServiceProcess("inference-service");
    private static final ServiceProcess TRAINER = new ServiceProcess("trainer-service");
    private static String operator;
    private static String client;
    private static String expired;
    private static String foreign;

    @BeforeAll
    static void startSecured() throws Exception {
        Files.createDirectories(DIR);
        new CertificateGenerator(DIR, true).generate(new CertificateRequest().withName("grpc").withCN("localhost")
                .withSubjectAlternativeName("DNS:localhost").withSubjectAlternativeName("IP:127.0.0.1")
                .withClientCertificate().withFormat(Format.PEM).withFormat(Format.PKCS12).withPassword("changeit"));
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair issuer = rsa.generateKeyPair();
        Files.writeString(DIR.resolve("issuer.pub"), dev.sinkhorn.testing.TestKeys.pem("PUBLIC KEY", issuer.getPublic().getEncoded()));
        operator = token(issuer, "alice", List.of("operator"), 600);
        client = token(issuer, "bob", List.of("client"), 600);
        expired = token(issuer, "carol", List.of("operator"), -120);
        foreign = token(rsa.generateKeyPair(), "mallory", List.of("operator"), 600);
        Files.writeString(DIR.resolve("inference.token"), token(issuer, "inference-service", List.of("client"), 3600));

        for (ServiceProcess p : List.of(MATCHER, INFERENCE, TRAINER)) {
            p.with("sinkhorn.security.enabled", "true")
                    .with("sinkhorn.security.jwt.public-key", DIR.resolve("issuer.pub").toString())
                    .with("sinkhorn.security.jwt.issuer", ISSUER)
                    .with("quarkus.grpc.server.ssl.certificate", DIR.resolve("grpc.crt").toString())
                    .with("quarkus.grpc.server.ssl.key", DIR.resolve("grpc.key").toString())
                    .with("quarkus.grpc.server.ssl.client-auth", "REQUIRED")
                    .with("quarkus.grpc.server.ssl.trust-store", DIR.resolve("grpc-server-truststore.p12").toString())
                    .with("quarkus.grpc.server.ssl.trust-store-password", "changeit");
        }
        Services.stop(); // the plain stack on the same broker would evaluate (and train) for these services otherwise
        MATCHER.start();
        String kafka = KafkaTestBroker.bootstrapServers();
        INFERENCE.with("kafka.bootstrap.servers", kafka).with("inference.eval-limit", "500")
                .with("quarkus.grpc.clients.matcher.port", String.valueOf(MATCHER.grpcPort()))
                .with("quarkus.grpc.clients.matcher.ssl.trust-store", DIR.resolve("grpc-client-ca.crt").toString())
                .with("quarkus.grpc.clients.matcher.ssl.certificate", DIR.resolve("grpc-client.crt").toString())
                .with("quarkus.grpc.clients.matcher.ssl.key", DIR.resolve("grpc-client.key").toString())
                .with("sinkhorn.security.client-token-file", DIR.resolve("inference.token").toString()).start();
        TRAINER.with("kafka.bootstrap.servers", kafka).with("trainer.final-evaluation-wait", "120S").start();
    }

    @AfterAll
    static void stop() {
        TRAINER.stop();
        INFERENCE.stop();
        MATCHER.stop();
    }

    private static String token(KeyPair key, String subject, List<String> roles, long ttlSeconds) throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setSubject(subject);
        claims.setStringListClaim("groups", roles);
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(ttlSeconds / 60f);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivate());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    /** What a CLI run printed and returned. */
    private record Run(int exitCode, String out, String err) {
    }

    /** The CLI against the secured services: mutual TLS with the test's client certificate, and the given token. */
    private static Run cli(String token, boolean clientCertificate, String... args) {
        List<String> all = new ArrayList<>(List.of("--trainer=127.0.0.1:" + TRAINER.grpcPort(),
                "--inference=127.0.0.1:" + INFERENCE.grpcPort(), "--matcher=127.0.0.1:" + MATCHER.grpcPort(),
                "--tls-ca=" + DIR.resolve("grpc-client-ca.crt")));
        if (clientCertificate) {
            all.add("--tls-cert=" + DIR.resolve("grpc-client.crt"));
            all.add("--tls-key=" + DIR.resolve("grpc-client.key"));
        }
        if (token != null) {
            all.add("--token=" + token);
        }
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SinkhornCli.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void anOperatorTrainsAndTheEvaluationCrossesMutualTlsWithTheServiceToken() {
        Run train = cli(operator, true, "train", "--model", "secured", "--epochs", "1", "--train-limit", "1600",
                "--learning-rate", "1e-3");
        assertEquals(0, train.exitCode(), train.err());
        assertTrue(train.err().contains("evaluation of v1 on 500 mnist test images"), "inference reached the matcher: " + train.err());
        Run models = cli(client, true, "models");
        assertEquals(0, models.exitCode(), models.err());
        assertTrue(models.out().contains("secured"), models.out());
    }

    @Test
    void aClientMayReadAndComputeButNotTrain() {
        Run train = cli(client, true, "train", "--model", "not-allowed", "--epochs", "1");
        assertEquals(Errors.REJECTED, train.exitCode(), train.err());
        assertTrue(train.err().contains("PERMISSION_DENIED: sinkhorn.v1.TrainerService/StartTraining needs the role operator; bob has [client]"),
                train.err());
        Run jobs = cli(client, true, "jobs");
        assertEquals(0, jobs.exitCode(), jobs.err());
    }

    @Test
    void callersWithoutAValidTokenAreUnauthenticated() {
        for (String token : new String[] {null, expired, foreign, "not-a-jwt"}) {
            Run r = cli(token, true, "models");
            assertEquals(Errors.REJECTED, r.exitCode(), r.err());
            assertTrue(r.err().contains("UNAUTHENTICATED"), r.err());
        }
        assertTrue(cli(null, true, "models").err().contains("needs an identity: a bearer token"));
        assertTrue(cli(expired, true, "models").err().contains("the bearer token is not valid"), "an expired token names why");
    }

    @Test
    void withoutAClientCertificateOrTlsNoConnectionIsMade() {
        Run noCertificate = cli(operator, false, "models");
        assertEquals(Errors.UNREACHABLE, noCertificate.exitCode(), noCertificate.err());
        StringWriter err = new StringWriter();
        int plain = SinkhornCli.run(new String[] {"--inference=127.0.0.1:" + INFERENCE.grpcPort(), "--token=" + operator, "models"},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertEquals(Errors.UNREACHABLE, plain, "a plain-text client does not get through: " + err);
    }
}
