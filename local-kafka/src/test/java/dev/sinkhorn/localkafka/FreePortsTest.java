package dev.sinkhorn.localkafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void portsAreDistinctBindableAndBelowTheEphemeralRange() throws Exception {
        int ephemeralStart = FreePorts.ephemeralStart();
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            ports.add(FreePorts.pick());
        }
        assertEquals(50, ports.size(), "every pick is a new port");
        for (int port : ports) {
            assertTrue(port >= 20_000 && port < ephemeralStart, port + " outside 20000.." + ephemeralStart);
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(port)); // throws if the port were taken
            }
        }
    }
}
