package dev.sinkhorn.localkafka;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports for brokers and services started by tests, chosen below the kernel's ephemeral
 * range.
 *
 * <p>Why not {@code new ServerSocket(0)}: that hands out a port from the ephemeral range, and
 * between closing the probe and the real server binding it, any outgoing connection on the
 * machine (a Kafka client, a gRPC channel) may be given the same port as its local end; the
 * server then fails with "address in use". Outgoing connections never get ports below the
 * ephemeral range, so a port picked there stays free unless another process picks the same one.
 */
public final class FreePorts {
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /**
     * Above every fixed port of ours (services 8081-9095, tests 18081-19093, benches 19392-19393):
     * a Quarkus test binds its fixed ports after its test resources picked theirs.
     */
    private static final int LOWEST = 20_000;
    /** Linux's default ephemeral range starts here; used where the kernel does not say. */
    private static final int DEFAULT_EPHEMERAL_START = 32_768;
    /**
     * Ports already handed out in this JVM are marked in the system properties, not in a static
     * set: Quarkus tests load a test resource class once per class loader (per test profile), each
     * copy picking its ports when it is initialised, often before any of them binds; only state the
     * class loaders share keeps two such picks apart (seen: two matchers given one port).
     */
    private static final String HANDED_OUT_PREFIX = "sinkhorn.free-port.";

    private FreePorts() {
    }

    /**
     * A port nothing listens on now, on any address, from below the ephemeral range, and not
     * returned before by this JVM.
     */
    public static int pick() {
        int end = ephemeralStart();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = random.nextInt(LOWEST, end);
            if (bindable(port) && System.getProperties().putIfAbsent(HANDED_OUT_PREFIX + port, "handed out") == null) {
                return port;
            }
        }
        throw new IllegalStateException("no free port in " + LOWEST + ".." + (end - 1) + " after 1000 tries");
    }

    private static boolean bindable(int port) {
        // The wildcard address: Quarkus binds 0.0.0.0, and a port held on any address clashes with it.
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }

    static int ephemeralStart() {
        try {
            String[] range = Files.readString(EPHEMERAL_RANGE).trim().split("\\s+");
            int start = Integer.parseInt(range[0]);
            // A range starting this low leaves no room below it: use the default (and accept the old race).
            return start > LOWEST + 1000 ? start : DEFAULT_EPHEMERAL_START;
        } catch (IOException | RuntimeException notLinux) {
            return DEFAULT_EPHEMERAL_START;
        }
    }
}
