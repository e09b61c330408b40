package dev.sinkhorn.trainer;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** A trainer replica's name in the jobs it runs: the pod's name (HOSTNAME) or the host's, and the gRPC port. */
final class ReplicaName {
    private ReplicaName() {
    }

    static String of(int grpcPort) {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "localhost";
            }
        }
        return host + ":" + grpcPort;
    }
}
