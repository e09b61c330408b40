package dev.sinkhorn.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sinkhorn.testing.Repository;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Renders every overlay with `kubectl kustomize` and checks what comes out. */
class ManifestsTest {
    /** Environment variables for the process (JVM, libtorch, data), not Quarkus configuration. */
    private static final Set<String> PROCESS_ENVIRONMENT = Set.of("JAVA_OPTS_APPEND", "DJL_CACHE_DIR", "SINKHORN_DATA_DIR",
            "GLIBC_TUNABLES", "PYTORCH_FLAVOR", "DJL_OFFLINE");
    private static final Map<String, String> SERVICES = Map.of("matcher", "matcher-service", "inference", "inference-service",
            "trainer", "trainer-service");
    private static Path root;

    @BeforeAll
    static void findRoot() {
        root = Repository.root();
    }

    static Stream<String> overlays() throws IOException {
        findRoot();
        try (Stream<Path> s = Files.list(root.resolve("deploy/k8s/overlays"))) {
            List<String> names = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.containsAll(List.of("dev", "gpu")), names.toString());
            return names.stream();
        }
    }

    /** The overlay rendered by kubectl kustomize, parsed into typed objects. */
    static List<HasMetadata> render(String overlay) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kubectl", "kustomize", root.resolve("deploy/k8s/overlays/" + overlay).toString())
                .redirectErrorStream(true).start();
        String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "kubectl kustomize failed:\n" + yaml);
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.isBlank()) {
                continue;
            }
            String kind = doc.replaceAll("(?s).*?(?m)^kind: (\\w+).*", "$1");
            Class<? extends HasMetadata> type = switch (kind) {
                case "Kafka" -> Kafka.class;
                case "KafkaNodePool" -> KafkaNodePool.class;
                case "KafkaTopic" -> KafkaTopic.class;
                default -> null;
            };
            HasMetadata o = type != null ? Serialization.unmarshal(doc, type) : (HasMetadata) Serialization.unmarshal(doc);
            assertNotNull(o, "did not parse:\n" + doc);
            assertEquals(kind, o.getKind());
            List<String> unknown = new ArrayList<>();
            unknownFields(o, o.getKind() + "/" + o.getMetadata().getName(), unknown, new IdentityHashMap<>());
            assertTrue(unknown.isEmpty(), "unknown fields (typos?): " + unknown);
            objects.add(o);
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
        if (!pkg.startsWith("io.fabric8.kubernetes.api.model") && !pkg.startsWith("io.strimzi.api")) {
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

    @ParameterizedTest
    @MethodSource("overlays")
    void rendersIntoKnownObjects(String overlay) throws Exception {
        List<HasMetadata> objects = render(overlay);
        for (String kind : List.of("Kafka", "KafkaNodePool", "Deployment", "Service", "HorizontalPodAutoscaler",
                "PodDisruptionBudget", "NetworkPolicy", "ConfigMap")) {
            assertTrue(objects.stream().anyMatch(o -> o.getKind().equals(kind)), overlay + " has no " + kind);
        }
        List<String> topics = objects.stream().filter(o -> o instanceof KafkaTopic).map(o -> ((KafkaTopic) o).getSpec().getTopicName()).toList();
        assertEquals(List.of("sinkhorn.checkpoints", "sinkhorn.evaluations"), topics);
        KafkaTopic checkpoints = (KafkaTopic) objects.stream().filter(o -> o instanceof KafkaTopic).findFirst().orElseThrow();
        assertEquals("compact", checkpoints.getSpec().getConfig().get("cleanup.policy"));
        Kafka kafka = (Kafka) objects.stream().filter(o -> o instanceof Kafka).findFirst().orElseThrow();
        assertEquals("enabled", kafka.getMetadata().getAnnotations().get("strimzi.io/kraft"));
        for (HasMetadata o : objects) {
            if (o instanceof Deployment d) {
                var pod = d.getSpec().getTemplate().getSpec();
                assertTrue(pod.getSecurityContext().getRunAsNonRoot(), d.getMetadata().getName() + " runs as non-root");
                for (Container c : pod.getContainers()) {
                    assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem(), c.getName() + " has a read-only root");
                    assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation());
                    assertNotNull(c.getResources().getRequests().get("cpu"), c.getName() + " requests CPU");
                    assertNotNull(c.getResources().getLimits().get("memory"), c.getName() + " limits memory");
                }
            }
        }
        if (overlay.equals("gpu")) {
            Container trainer = deployment(objects, "trainer").getSpec().getTemplate().getSpec().getContainers().get(0);
            assertEquals("1", trainer.getResources().getLimits().get("nvidia.com/gpu").getAmount());
            assertTrue(trainer.getImage().endsWith("-gpu"), trainer.getImage());
            assertTrue(trainer.getEnv().stream().anyMatch(e -> e.getName().equals("PYTORCH_FLAVOR")));
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void portsProbesAndConfigKeysMatchTheServices(String overlay) throws Exception {
        List<HasMetadata> objects = render(overlay);
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
            for (HasMetadata o : objects) {
                if (o instanceof Service s && s.getMetadata().getName().startsWith(svc.getKey() + "-")) {
                    var p = s.getSpec().getPorts().get(0);
                    assertEquals(p.getName().equals("grpc") ? grpc : http, p.getPort(), s.getMetadata().getName());
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

    private static Deployment deployment(List<HasMetadata> objects, String name) {
        return objects.stream().filter(o -> o instanceof Deployment && o.getMetadata().getName().equals(name))
                .map(o -> (Deployment) o).findFirst().orElseThrow(() -> new AssertionError("no Deployment " + name));
    }

    private static int port(Container c, String name) {
        return c.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " has no port " + name));
    }

    private static List<String> envNames(Container c, List<HasMetadata> objects) {
        List<String> names = new ArrayList<>();
        c.getEnv().stream().map(EnvVar::getName).forEach(names::add);
        for (EnvFromSource from : c.getEnvFrom()) {
            String cm = from.getConfigMapRef().getName();
            ConfigMap map = objects.stream().filter(o -> o instanceof ConfigMap && o.getMetadata().getName().equals(cm))
                    .map(o -> (ConfigMap) o).findFirst().orElseThrow(() -> new AssertionError("no ConfigMap " + cm));
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
