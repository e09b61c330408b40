package dev.sinkhorn.localkafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A single-node Apache Kafka broker in KRaft mode (one process is broker and controller), built
 * from Kafka's own server classes: no Docker, no scripts, nothing but the kafka_2.13 jar.
 *
 * <p>Listens on 127.0.0.1 only. The data directory is formatted on first start and reused after,
 * so topics and records survive a stop and a start (also across JVMs). {@link #start()} returns
 * once an admin client sees the broker, so callers can produce right away.
 */
public final class LocalKafkaBroker implements AutoCloseable {
    public static final int DEFAULT_PORT = 9094;

    /** The SCRAM mechanism of a secured broker. */
    public static final String SCRAM = "SCRAM-SHA-512";

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    /** Password of the super user "admin" when the client listener needs SASL/SCRAM and ACLs; null: plain text, no ACLs. */
    private final String adminPassword;
    private KafkaRaftServer server;

    public LocalKafkaBroker(Path dataDir, int port, int controllerPort) {
        this(dataDir, port, controllerPort, null);
    }

    private LocalKafkaBroker(Path dataDir, int port, int controllerPort, String adminPassword) {
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.adminPassword = adminPassword;
    }

    /**
     * A broker whose client listener needs SASL/SCRAM-SHA-512 and whose StandardAuthorizer allows
     * nothing without an ACL, on two free ports. Its super user "admin" (password given) is created
     * when the data folder is formatted, so the folder must be new; other users and ACLs are the
     * caller's (Admin.alterUserScramCredentials, Admin.createAcls with {@link #adminClientProperties()}).
     */
    public static LocalKafkaBroker withScram(Path dataDir, String adminPassword) {
        if (adminPassword.contains(",") || adminPassword.contains("\"")) {
            throw new IllegalArgumentException("the admin password may contain neither ',' nor '\"' (the storage formatter's syntax)");
        }
        return new LocalKafkaBroker(dataDir, FreePorts.pick(), FreePorts.pick(), adminPassword);
    }

    /** Client settings of a user of a SCRAM broker: protocol, mechanism and JAAS login. */
    public static Map<String, String> scramClientProperties(String user, String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", SCRAM, "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                        + password + "\";");
    }

    /** Settings an admin client of this broker needs (the super user's login on a SCRAM broker; none otherwise). */
    public Map<String, String> adminClientProperties() {
        return adminPassword == null ? Map.of() : scramClientProperties("admin", adminPassword);
    }

    /** A broker on two free ports chosen now, for tests. */
    public static LocalKafkaBroker onFreePorts(Path dataDir) {
        return new LocalKafkaBroker(dataDir, FreePorts.pick(), FreePorts.pick());
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Formats the data directory if it is new, starts the broker and waits until it serves requests. */
    public synchronized LocalKafkaBroker start() {
        if (server != null) {
            return this;
        }
        try {
            Files.createDirectories(dataDir);
            KafkaConfig config = new KafkaConfig(properties(), false);
            formatIfNew();
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            awaitReady(Duration.ofSeconds(60));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Kafka in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** Stops the broker cleanly (data stays on disk). */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
    }

    @Override
    public void close() {
        stop();
    }

    Properties properties() {
        Properties p = new Properties();
        p.putAll(plainProperties());
        if (adminPassword != null) {
            String listener = "SASL_PLAINTEXT";
            p.putAll(Map.of(
                    "listeners", listener + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "advertised.listeners", listener + "://127.0.0.1:" + port,
                    "listener.security.protocol.map", listener + ":SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "inter.broker.listener.name", listener,
                    "sasl.enabled.mechanisms", SCRAM,
                    "sasl.mechanism.inter.broker.protocol", SCRAM,
                    "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config", scramClientProperties("admin", adminPassword)
                            .get("sasl.jaas.config"),
                    "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                    // ANONYMOUS is the broker itself on the plain-text controller listener (registering with its controller).
                    "super.users", "User:admin;User:ANONYMOUS"));
            p.put("allow.everyone.if.no.acl.found", "false");
        }
        return p;
    }

    private Map<String, String> plainProperties() {
        return Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", "1"),
                Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controllerPort),
                Map.entry("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort),
                Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port),
                Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("log.dirs", dataDir.toAbsolutePath().toString()),
                Map.entry("num.partitions", "1"),
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("offsets.topic.num.partitions", "1"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                Map.entry("auto.create.topics.enable", "false"),
                // Checkpoints are up to a few MB; allow 64 MB records.
                Map.entry("message.max.bytes", String.valueOf(64 << 20)),
                Map.entry("replica.fetch.max.bytes", String.valueOf(64 << 20)),
                // Let the log cleaner compact small test topics promptly.
                Map.entry("log.cleaner.backoff.ms", "1000"));
    }

    private void formatIfNew() throws IOException {
        if (Files.exists(dataDir.resolve("meta.properties"))) {
            return;
        }
        try {
            new Formatter()
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .addDirectory(dataDir.toAbsolutePath().toString())
                    .setControllerListenerName("CONTROLLER")
                    .setScramArguments(adminPassword == null ? List.of()
                            : List.of(SCRAM + "=[name=admin,password=" + adminPassword + "]"))
                    .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                    .run();
        } catch (Exception e) {
            throw new IOException("formatting " + dataDir + " failed: " + e.getMessage(), e);
        }
    }

    private void awaitReady(Duration timeout) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
        p.putAll(adminClientProperties());
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            // The metadata quorum must also accept topic creations: listing topics goes through it.
            admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers() + " did not become ready within " + timeout, e);
        }
    }

    /** True when something accepts TCP connections on 127.0.0.1:port. */
    public static boolean isPortOpen(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Runs a broker in this JVM until it is terminated (SIGTERM or SIGINT stop it cleanly).
     * Arguments: --data-dir DIR [--port 9094] [--controller-port 9095]. Prints one line
     * "READY bootstrap=127.0.0.1:PORT" once it serves requests.
     */
    public static void main(String[] args) throws InterruptedException {
        Path dataDir = null;
        int port = DEFAULT_PORT;
        int controllerPort = -1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data-dir" -> dataDir = Path.of(args[++i]);
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--controller-port" -> controllerPort = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]
                            + "; usage: LocalKafkaBroker --data-dir DIR [--port 9094] [--controller-port 9095]");
                    System.exit(2);
                }
            }
        }
        if (dataDir == null) {
            System.err.println("--data-dir is required");
            System.exit(2);
        }
        if (controllerPort < 0) {
            controllerPort = port + 1;
        }
        if (isPortOpen(port)) {
            System.err.println("port " + port + " is already in use: is a broker already running?");
            System.exit(3);
        }
        LocalKafkaBroker broker = new LocalKafkaBroker(dataDir, port, controllerPort).start();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::stop, "kafka-stop"));
        System.out.println("READY bootstrap=" + broker.bootstrapServers());
        System.out.flush();
        Thread.currentThread().join();
    }
}
