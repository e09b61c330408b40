package dev.sinkhorn.cli;

import dev.sinkhorn.testing.KafkaTestBroker;
import dev.sinkhorn.testing.ServiceProcess;
import java.io.PrintWriter;
import java.io.StringWriter;

/** The three real services, from their jars, on free ports, sharing the test JVM's Kafka broker. */
public final class Services {
    public static final ServiceProcess MATCHER = new ServiceProcess("matcher-service");
    public static final ServiceProcess INFERENCE = new ServiceProcess("inference-service");
    public static final ServiceProcess TRAINER = new ServiceProcess("trainer-service");
    private static boolean started;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            TRAINER.stop();
            INFERENCE.stop();
            MATCHER.stop();
        }));
    }

    private Services() {
    }

    public static synchronized void start() {
        if (started) {
            return;
        }
        String kafka = KafkaTestBroker.bootstrapServers();
        MATCHER.start();
        INFERENCE.with("kafka.bootstrap.servers", kafka).with("quarkus.grpc.clients.matcher.port", String.valueOf(MATCHER.grpcPort()))
                .with("inference.eval-limit", "1000").start();
        TRAINER.with("kafka.bootstrap.servers", kafka).with("trainer.final-evaluation-wait", "60S").start();
        started = true;
    }

    /**
     * Stops the three (a later {@link #start()} starts them again): for tests that run a stack of
     * their own on the same broker, whose records these would otherwise also follow (evaluations
     * shared by the inference group, jobs by the trainers').
     */
    public static synchronized void stop() {
        TRAINER.stop();
        INFERENCE.stop();
        MATCHER.stop();
        started = false;
    }

    /** What a CLI run printed and returned. */
    record Run(int exitCode, String out, String err) {
    }

    /** Runs the CLI in this JVM against the services. */
    static Run cli(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "--trainer=127.0.0.1:" + TRAINER.grpcPort();
        all[1] = "--inference=127.0.0.1:" + INFERENCE.grpcPort();
        all[2] = "--matcher=127.0.0.1:" + MATCHER.grpcPort();
        System.arraycopy(args, 0, all, 3, args.length);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SinkhornCli.run(all, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }
}
