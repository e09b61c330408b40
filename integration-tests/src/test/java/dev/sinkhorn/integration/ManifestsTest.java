package dev.sinkhorn.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.testing.Repository;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Renders every overlay with `kubectl kustomize` and checks what comes out against the models a
 * current cluster uses: the Kubernetes API (fabric8), Strimzi 1.2.0 (kafka.strimzi.io/v1) and the
 * Prometheus Operator's PodMonitor, rejecting unknown fields; then every point of deployment
 * semantics a rendered manifest can show (see docs/operations.md, "Kubernetes").
 *
 * <p>Strimzi's 1.2.0 model is compiled for Java 21, so this class names none of its types (it
 * compiles on 17) and the build runs it on a JDK 21+ where one is installed (integration-tests/pom.xml);
 * on a JDK 17 alone it is skipped with a line saying so, unless SINKHORN_MANIFEST_TESTS=required (CI).
 */
class ManifestsTest {
    static final String STRIMZI_VERSION = "1.2.0";
    /** Kafka versions Strimzi 1.2.0 runs. */
    static final Set<String> STRIMZI_KAFKA_VERSIONS = Set.of("4.2.0", "4.2.1", "4.3.0", "4.3.1");
    private static final Map<String, String> STRIMZI_MODELS = Map.of(
            "Kafka", "io.strimzi.api.kafka.model.kafka.Kafka",
            "KafkaNodePool", "io.strimzi.api.kafka.model.nodepool.KafkaNodePool",
            "KafkaTopic", "io.strimzi.api.kafka.model.topic.KafkaTopic",
            "KafkaUser", "io.strimzi.api.kafka.model.user.KafkaUser");
    private static final Map<String, String> OTHER_MODELS = Map.of(
            "PodMonitor", "io.fabric8.openshift.api.model.monitoring.v1.PodMonitor");
    /** Environment variables for the process (JVM, libtorch, data), not Quarkus configuration. */
    private static final Set<String> PROCESS_ENVIRONMENT = Set.of("JAVA_OPTS_APPEND", "SINKHORN_DATA_DIR", "GLIBC_TUNABLES",
            "PYTORCH_FLAVOR", "OMP_NUM_THREADS");
    private static final Map<String, String> SERVICES = Map.of("matcher", "matcher-service", "inference", "inference-service",
            "trainer", "trainer-service");
    private static final Map<String, String> NAMESPACES = Map.of("dev", "sinkhorn-dev", "gpu", "sinkhorn");
    private static Path root;

    @BeforeAll
    static void findRoot() {
        root = Repository.root();
        boolean required = "required".equalsIgnoreCase(System.getenv("SINKHORN_MANIFEST_TESTS"));
        if (!required) {
            Assumptions.assumeTrue(Runtime.version().feature() >= 21, "Strimzi " + STRIMZI_VERSION
                    + "'s model needs Java 21+; this JVM is " + Runtime.version() + " (install a JDK 21+ at "
                    + "/usr/lib/jvm/temurin-25-jdk-amd64 or run with -Dsinkhorn.manifests.java=/path/to/java21+)");
        }
    }

    static Stream<String> overlays() throws IOException {
        root = Repository.root();
        try (Stream<Path> s = Files.list(root.resolve("deploy/k8s/overlays"))) {
            List<String> names = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(NAMESPACES.keySet().stream().sorted().toList(), names, "every overlay has its namespace here");
            return names.stream();
        }
    }

    /** A rendered object: its generic form (apiVersion as written) and, where a model exists, its typed form. */
    record Rendered(GenericKubernetesResource generic, Object typed) {
        String kind() {
            return generic.getKind();
        }

        String name() {
            return generic.getMetadata().getName();
        }

        @SuppressWarnings("unchecked")
        <T> T as(Class<T> type) {
            return (T) typed;
        }
    }

    /** The overlay rendered by kubectl kustomize, every document parsed and checked for unknown fields. */
    static List<Rendered> render(String overlay) throws Exception {
        Process p = new ProcessBuilder("kubectl", "kustomize", root.resolve("deploy/k8s/overlays/" + overlay).toString())
                .redirectErrorStream(true).start();
        String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "kubectl kustomize failed:\n" + yaml);
        List<Rendered> objects = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.isBlank()) {
                continue;
            }
            GenericKubernetesResource generic = Serialization.unmarshal(doc, GenericKubernetesResource.class);
            String kind = generic.getKind();
            String model = STRIMZI_MODELS.getOrDefault(kind, OTHER_MODELS.get(kind));
            Object typed = model != null ? Serialization.unmarshal(doc, Class.forName(model)) : Serialization.unmarshal(doc);
            assertNotNull(typed, "did not parse:\n" + doc);
            assertFalse(typed instanceof GenericKubernetesResource, kind + " has no model here: add it to the test");
            List<String> unknown = new ArrayList<>();
            unknownFields(typed, kind + "/" + generic.getMetadata().getName(), unknown, new IdentityHashMap<>());
            assertTrue(unknown.isEmpty(), "unknown fields (typos, or removed from the API): " + unknown);
            objects.add(new Rendered(generic, typed));
        }
        return objects;
    }

    /** Every field the model does not know lands in an additionalProperties map: collect them. */
    private static void unknownFields(Object o, String path, List<String> out, IdentityHashMap<Object, Boolean> seen) {
        if (o == null || seen.put(o, true) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownFields(e, path + "[" + i++ + "]", out, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, out, seen));
            return;
        }
        String pkg = o.getClass().getPackageName();
        if (!pkg.startsWith("io.fabric8.kubernetes.api.model") && !pkg.startsWith("io.fabric8.openshift.api.model")
                && !pkg.startsWith("io.strimzi.api")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getName().equals("getClass")) {
                continue;
            }
            try {
                Object v = m.invoke(o);
                if (m.getName().equals("getAdditionalProperties")) {
                    if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        out.add(path + ": " + extra.keySet());
                    }
                } else {
                    unknownFields(v, path + "." + m.getName().substring(3), out, seen);
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // derived getters that need more context: not fields
            }
        }
    }

    /** A value of a generic object by its path of map keys (and list indexes). */
    @SuppressWarnings("unchecked")
    static Object at(Rendered r, Object... path) {
        Object o = r.generic().getAdditionalProperties();
        for (Object key : path) {
            if (o instanceof Map<?, ?> m) {
                o = ((Map<String, Object>) m).get((String) key);
            } else if (o instanceof List<?> l) {
                o = l.get((Integer) key);
            } else {
                return null;
            }
        }
        return o;
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void strimziObjectsAreOfTheV1ApiForAPinnedOperatorRelease(String overlay) throws Exception {
        List<Rendered> objects = render(overlay);
        for (String kind : List.of("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser")) {
            List<Rendered> of = objects.stream().filter(o -> o.kind().equals(kind)).toList();
            assertFalse(of.isEmpty(), overlay + " has no " + kind);
            of.forEach(o -> assertEquals("kafka.strimzi.io/v1", o.generic().getApiVersion(), kind + "/" + o.name()));
        }
        Rendered kafka = objects.stream().filter(o -> o.kind().equals("Kafka")).findFirst().orElseThrow();
        String version = (String) at(kafka, "spec", "kafka", "version");
        assertTrue(STRIMZI_KAFKA_VERSIONS.contains(version), "Kafka " + version + " is not one Strimzi " + STRIMZI_VERSION + " runs");
        assertTrue(((String) at(kafka, "spec", "kafka", "metadataVersion")).startsWith(version.substring(0, 3) + "-"));
        Map<String, String> annotations = kafka.generic().getMetadata().getAnnotations();
        assertTrue(annotations == null || annotations.keySet().stream().noneMatch(a -> a.startsWith("strimzi.io/")),
                "the strimzi.io/kraft and node-pools annotations are gone in v1: " + annotations);
        List<String> topics = objects.stream().filter(o -> o.kind().equals("KafkaTopic")).map(o -> (String) at(o, "spec", "topicName"))
                .toList();
        assertEquals(Set.of(PipelineTopics.CHECKPOINTS, PipelineTopics.EVALUATIONS, PipelineTopics.DECISIONS, PipelineTopics.JOBS,
                PipelineTopics.JOB_STATES, PipelineTopics.JOB_EVENTS), Set.copyOf(topics), "the topics the services use, each once");
        // Each trainer replica runs the jobs of its partitions of sinkhorn.jobs: one without any would idle.
        Rendered jobs = objects.stream().filter(o -> o.kind().equals("KafkaTopic") && PipelineTopics.JOBS.equals(at(o, "spec", "topicName")))
                .findFirst().orElseThrow();
        assertTrue(((Number) at(jobs, "spec", "partitions")).intValue() >= deployment(objects, "trainer").getSpec().getReplicas(),
                "sinkhorn.jobs has a partition for every trainer replica");
        // The operator the docs install is the release these objects were checked against, into the overlay's namespace.
        String install = Files.readString(root.resolve("deploy/k8s/install-strimzi"));
        assertTrue(install.contains("STRIMZI_VERSION=" + STRIMZI_VERSION), "deploy/k8s/install-strimzi pins " + STRIMZI_VERSION);
        assertFalse(install.contains("latest"), "no unpinned install URL");
        String docs = Files.readString(root.resolve("docs/operations.md"));
        String ns = NAMESPACES.get(overlay);
        assertTrue(docs.contains("deploy/k8s/install-strimzi " + ns), "docs install the operator into " + ns + " for " + overlay);
        assertTrue(docs.indexOf("deploy/k8s/install-strimzi " + ns) < docs.indexOf("kubectl apply -k deploy/k8s/overlays/" + overlay),
                "docs install the operator before applying " + overlay);
        for (Rendered o : objects) {
            if (!List.of("Namespace").contains(o.kind())) {
                assertEquals(ns, o.generic().getMetadata().getNamespace(), o.kind() + "/" + o.name() + " in the overlay's namespace");
            }
        }
        assertTrue(objects.stream().anyMatch(o -> o.kind().equals("Namespace") && o.name().equals(ns)));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void replicasThreadsProbesAndDisruptionsFitHowTheyRun(String overlay) throws Exception {
        List<Rendered> objects = render(overlay);
        List<String> autoscaled = objects.stream().filter(o -> o.kind().equals("HorizontalPodAutoscaler"))
                .map(o -> o.as(HorizontalPodAutoscaler.class).getSpec().getScaleTargetRef().getName()).toList();
        assertEquals(Set.of("matcher", "inference"), Set.copyOf(autoscaled));
        for (String name : SERVICES.keySet()) {
            Deployment d = deployment(objects, name);
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            Container c = pod.getContainers().get(0);
            if (autoscaled.contains(name)) {
                assertNull(d.getSpec().getReplicas(), name + ": the autoscaler owns the replica count; kubectl apply must not reset it");
            } else if (name.equals("trainer")) {
                // Replicas share sinkhorn.jobs as a consumer group (docs/scale-out.md); dev runs one.
                assertEquals(overlay.equals("dev") ? 1 : 2, d.getSpec().getReplicas(), name);
                assertEquals(0, d.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal(),
                        "a rolling update of the trainers needs no spare GPU");
            } else {
                assertEquals(1, d.getSpec().getReplicas(), name);
            }
            assertTrue(c.getLivenessProbe().getTimeoutSeconds() != null && c.getLivenessProbe().getTimeoutSeconds() > 1,
                    name + ": a busy JVM must not miss a 1 s liveness timeout");
            assertTrue(c.getLivenessProbe().getFailureThreshold() == null || c.getLivenessProbe().getFailureThreshold() >= 3, name);
            assertEquals("IfNotPresent", c.getImagePullPolicy(), name);
            String tag = c.getImage().substring(c.getImage().lastIndexOf(':') + 1);
            assertFalse(tag.contains("SNAPSHOT") || tag.equals("latest") || !c.getImage().contains(":"), name + ": release tag, got " + c.getImage());
            assertNotNull(c.getResources().getRequests().get("ephemeral-storage"), name + " requests ephemeral storage");
            assertNotNull(c.getResources().getLimits().get("ephemeral-storage"), name + " limits ephemeral storage");
            assertFalse(pod.getTopologySpreadConstraints().isEmpty(), name + " spreads its replicas");
            if (!name.equals("matcher")) {
                EnvVar omp = c.getEnv().stream().filter(e -> e.getName().equals("OMP_NUM_THREADS")).findFirst()
                        .orElseThrow(() -> new AssertionError(name + ": OMP_NUM_THREADS is not set from the CPU limit"));
                assertEquals("limits.cpu", omp.getValueFrom().getResourceFieldRef().getResource(), name);
            }
            assertFalse(c.getEnv().stream().anyMatch(e -> e.getName().equals("DJL_OFFLINE") && "false".equals(e.getValue())),
                    name + ": DJL stays offline (libtorch is in the image)");
        }
        for (Rendered o : objects) {
            if (o.kind().equals("PodDisruptionBudget")) {
                PodDisruptionBudget pdb = o.as(PodDisruptionBudget.class);
                assertNull(pdb.getSpec().getMinAvailable(), o.name() + ": minAvailable blocks every drain of a one-replica deployment");
                assertEquals(1, pdb.getSpec().getMaxUnavailable().getIntVal(), o.name());
            }
        }
        // Matcher memory: sized from bench/matcher-memory.sh (four concurrent 60 MB requests peak at 1.6 GiB).
        Container matcher = deployment(objects, "matcher").getSpec().getTemplate().getSpec().getContainers().get(0);
        assertTrue(bytes(matcher.getResources().getLimits().get("memory")) >= 2L << 30, "matcher memory limit below the measured peak");
        for (String name : SERVICES.keySet()) {
            Container c = deployment(objects, name).getSpec().getTemplate().getSpec().getContainers().get(0);
            c.getEnv().stream().filter(e -> e.getName().equals("JAVA_OPTS_APPEND")).findFirst().ifPresent(e -> {
                Matcher m = Pattern.compile("MaxRAMPercentage=(\\d+)").matcher(e.getValue());
                assertTrue(!m.find() || Integer.parseInt(m.group(1)) <= 50, name + ": heap above half the limit starves direct memory");
            });
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void networkPoliciesAllowExactlyWhatThePipelineNeeds(String overlay) throws Exception {
        List<Rendered> objects = render(overlay);
        Rendered kafka = objects.stream().filter(o -> o.kind().equals("Kafka")).findFirst().orElseThrow();
        Object peers = at(kafka, "spec", "kafka", "listeners", 0, "networkPolicyPeers");
        assertEquals(List.of(Map.of("podSelector", Map.of("matchLabels", Map.of("sinkhorn.dev/kafka-client", "true")))), peers,
                "Kafka admits only the pods labelled as its clients");
        for (String name : SERVICES.keySet()) {
            Map<String, String> labels = deployment(objects, name).getSpec().getTemplate().getMetadata().getLabels();
            assertEquals(!name.equals("matcher"), "true".equals(labels.get("sinkhorn.dev/kafka-client")), name + " kafka-client label");
        }
        List<NetworkPolicy> policies = objects.stream().filter(o -> o.kind().equals("NetworkPolicy"))
                .map(o -> o.as(NetworkPolicy.class)).toList();
        NetworkPolicy deny = policies.stream().filter(p -> p.getSpec().getPolicyTypes().containsAll(List.of("Ingress", "Egress"))
                && p.getSpec().getIngress().isEmpty() && p.getSpec().getEgress().isEmpty()).findFirst()
                .orElseThrow(() -> new AssertionError("no default-deny policy for ingress and egress"));
        assertEquals(Set.of("trainer", "inference", "matcher"),
                Set.copyOf(deny.getSpec().getPodSelector().getMatchExpressions().get(0).getValues()));
        List<String> egress = new ArrayList<>();
        for (NetworkPolicy p : policies) {
            for (NetworkPolicyEgressRule rule : p.getSpec().getEgress()) {
                rule.getPorts().forEach(port -> egress.add(p.getMetadata().getName() + ":" + port.getProtocol() + "/"
                        + port.getPort().getIntVal()));
            }
        }
        assertTrue(egress.containsAll(List.of("services-egress-dns:UDP/53", "services-egress-dns:TCP/53",
                "kafka-clients-egress-brokers:TCP/9092", "inference-egress-matcher:TCP/9093")), egress.toString());
        assertEquals(4, egress.size(), "no other egress than DNS, the brokers and the matcher: " + egress);
        Rendered monitor = objects.stream().filter(o -> o.kind().equals("PodMonitor")).findFirst()
                .orElseThrow(() -> new AssertionError("no PodMonitor"));
        assertEquals("/q/metrics", at(monitor, "spec", "podMetricsEndpoints", 0, "path"));
        Rendered pool = objects.stream().filter(o -> o.kind().equals("KafkaNodePool")).findFirst().orElseThrow();
        assertNotNull(at(pool, "spec", "template", "pod", "topologySpreadConstraints"), "Kafka nodes spread");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void securityIsOnTlsTokensKafkaLoginsAndSignedCheckpoints(String overlay) throws Exception {
        List<Rendered> objects = render(overlay);
        for (String name : SERVICES.keySet()) {
            Container c = deployment(objects, name).getSpec().getTemplate().getSpec().getContainers().get(0);
            Map<String, String> env = environment(c, objects);
            assertEquals("true", env.get("SINKHORN_SECURITY_ENABLED"), name + ": security on in the base");
            assertNotNull(env.get("SINKHORN_SECURITY_JWT_PUBLIC_KEY"), name + ": tokens checked against the issuer's key");
            assertNotNull(env.get("SINKHORN_SECURITY_JWT_ISSUER"), name);
            assertEquals("/etc/sinkhorn/tls/tls.crt", env.get("QUARKUS_GRPC_SERVER_SSL_CERTIFICATE"), name + ": TLS");
            assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/etc/sinkhorn/tls")), name);
            if (!name.equals("matcher")) {
                assertEquals("SASL_PLAINTEXT", env.get("KAFKA_SECURITY_PROTOCOL"), name + " logs in to Kafka");
                EnvVar jaas = c.getEnv().stream().filter(e -> e.getName().equals("KAFKA_SASL_JAAS_CONFIG")).findFirst().orElseThrow();
                assertEquals(name, jaas.getValueFrom().getSecretKeyRef().getName(), name + " uses its KafkaUser's Secret");
                assertTrue(objects.stream().anyMatch(o -> o.kind().equals("KafkaUser") && o.name().equals(name)), "KafkaUser " + name);
            }
        }
        Map<String, String> inference = environment(deployment(objects, "inference").getSpec().getTemplate().getSpec()
                .getContainers().get(0), objects);
        assertNotNull(inference.get("INFERENCE_TRUSTED_CHECKPOINT_KEYS"), "inference loads only signed checkpoints");
        assertNotNull(inference.get("QUARKUS_GRPC_CLIENTS_MATCHER_SSL_TRUST_STORE"), "inference reaches the matcher over TLS");
        assertNotNull(inference.get("SINKHORN_SECURITY_CLIENT_TOKEN_FILE"), "with its own token");
        assertNotNull(environment(deployment(objects, "trainer").getSpec().getTemplate().getSpec().getContainers().get(0), objects)
                .get("TRAINER_SIGNING_KEY"), "the trainer signs its checkpoints");
        Rendered kafka = objects.stream().filter(o -> o.kind().equals("Kafka")).findFirst().orElseThrow();
        assertEquals("scram-sha-512", at(kafka, "spec", "kafka", "listeners", 0, "authentication", "type"));
        assertEquals("simple", at(kafka, "spec", "kafka", "authorization", "type"));
    }

    /** A container's environment: its env values and every key of its ConfigMaps (valueFrom entries as null). */
    private static Map<String, String> environment(Container c, List<Rendered> objects) {
        Map<String, String> env = new java.util.HashMap<>();
        for (EnvFromSource from : c.getEnvFrom()) {
            objects.stream().filter(o -> o.kind().equals("ConfigMap") && o.name().equals(from.getConfigMapRef().getName()))
                    .findFirst().ifPresent(o -> env.putAll(o.as(ConfigMap.class).getData()));
        }
        c.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
        return env;
    }

    @Test
    void theGpuOverlayRunsTheCudaImageOfflineOnAGpuNode() throws Exception {
        List<Rendered> objects = render("gpu");
        PodSpec pod = deployment(objects, "trainer").getSpec().getTemplate().getSpec();
        Container trainer = pod.getContainers().get(0);
        assertEquals("1", trainer.getResources().getLimits().get("nvidia.com/gpu").getAmount());
        assertTrue(trainer.getImage().endsWith("-gpu"), trainer.getImage());
        assertEquals("nvidia", pod.getRuntimeClassName());
        assertTrue(trainer.getEnv().stream().anyMatch(e -> e.getName().equals("PYTORCH_FLAVOR") && "cu128".equals(e.getValue())));
        assertTrue(Files.readString(root.resolve("deploy/containers/gpu.Dockerfile")).contains("cu128"),
                "the -gpu image carries the cu128 build of libtorch");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void podsArePlainNonRootReadOnlyAndBounded(String overlay) throws Exception {
        List<Rendered> objects = render(overlay);
        for (String kind : List.of("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy",
                "ConfigMap", "PodMonitor")) {
            assertTrue(objects.stream().anyMatch(o -> o.kind().equals(kind)), overlay + " has no " + kind);
        }
        for (Rendered o : objects) {
            if (o.kind().equals("Deployment")) {
                Deployment d = o.as(Deployment.class);
                PodSpec pod = d.getSpec().getTemplate().getSpec();
                assertTrue(pod.getSecurityContext().getRunAsNonRoot(), o.name() + " runs as non-root");
                for (Container c : pod.getContainers()) {
                    assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem(), c.getName() + " has a read-only root");
                    assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation());
                    assertNotNull(c.getResources().getRequests().get("cpu"), c.getName() + " requests CPU");
                    assertNotNull(c.getResources().getLimits().get("memory"), c.getName() + " limits memory");
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void portsProbesAndConfigKeysMatchTheServices(String overlay) throws Exception {
        List<Rendered> objects = render(overlay);
        for (Map.Entry<String, String> svc : SERVICES.entrySet()) {
            Properties props = applicationProperties(svc.getValue());
            int grpc = Integer.parseInt(props.getProperty("quarkus.grpc.server.port"));
            int http = Integer.parseInt(props.getProperty("quarkus.http.port"));
            Deployment d = deployment(objects, svc.getKey());
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertEquals(grpc, port(c, "grpc"), svc.getKey() + " gRPC port");
            assertEquals(http, port(c, "http"), svc.getKey() + " HTTP port");
            String health = "/" + props.getProperty("quarkus.http.non-application-root-path", "q") + "/"
                    + props.getProperty("quarkus.smallrye-health.root-path", "health");
            assertEquals(health + "/live", c.getLivenessProbe().getHttpGet().getPath());
            assertEquals(health + "/ready", c.getReadinessProbe().getHttpGet().getPath());
            assertEquals(health + "/started", c.getStartupProbe().getHttpGet().getPath());
            for (var probe : List.of(c.getLivenessProbe(), c.getReadinessProbe(), c.getStartupProbe())) {
                assertEquals("http", probe.getHttpGet().getPort().getStrVal());
            }
            for (Rendered o : objects) {
                if (o.kind().equals("Service") && o.name().startsWith(svc.getKey() + "-")) {
                    var p = o.as(Service.class).getSpec().getPorts().get(0);
                    assertEquals(p.getName().equals("grpc") ? grpc : http, p.getPort(), o.name());
                }
            }
            // Every setting given to the service is a key its application.properties knows.
            List<String> known = props.stringPropertyNames().stream().filter(k -> !k.startsWith("%")).map(ManifestsTest::envName).toList();
            for (String name : envNames(c, objects)) {
                if (!PROCESS_ENVIRONMENT.contains(name)) {
                    assertTrue(known.contains(name), overlay + ": " + svc.getKey() + " gets " + name
                            + ", which matches no key of " + svc.getValue() + "/src/main/resources/application.properties");
                }
            }
        }
    }

    private static Deployment deployment(List<Rendered> objects, String name) {
        return objects.stream().filter(o -> o.kind().equals("Deployment") && o.name().equals(name))
                .map(o -> o.as(Deployment.class)).findFirst().orElseThrow(() -> new AssertionError("no Deployment " + name));
    }

    private static long bytes(Quantity q) {
        return Quantity.getAmountInBytes(q).longValue();
    }

    private static int port(Container c, String name) {
        return c.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " has no port " + name));
    }

    private static List<String> envNames(Container c, List<Rendered> objects) {
        List<String> names = new ArrayList<>();
        c.getEnv().stream().map(EnvVar::getName).forEach(names::add);
        for (EnvFromSource from : c.getEnvFrom()) {
            String cm = from.getConfigMapRef().getName();
            ConfigMap map = objects.stream().filter(o -> o.kind().equals("ConfigMap") && o.name().equals(cm))
                    .map(o -> o.as(ConfigMap.class)).findFirst().orElseThrow(() -> new AssertionError("no ConfigMap " + cm));
            names.addAll(map.getData().keySet());
        }
        if (names.isEmpty()) {
            fail(c.getName() + " gets no configuration at all");
        }
        return names;
    }

    /** Quarkus' environment-variable form of a property key: upper case, other characters as '_'. */
    static String envName(String key) {
        return key.toUpperCase().replaceAll("[^A-Z0-9]", "_");
    }

    private static Properties applicationProperties(String module) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(root.resolve(module).resolve("src/main/resources/application.properties"))) {
            p.load(in);
        }
        return p;
    }
}
