package dev.sinkhorn.bench;

import dev.sinkhorn.testing.PrometheusText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The memory of a running service process: its live heap (jvm_memory_used_bytes{area="heap"} on
 * /q/metrics right after a full GC that jcmd asks the process for, so garbage not yet collected
 * does not count) and its resident set (VmRSS in /proc/PID/status: heap, metaspace, code, threads
 * and native memory such as libtorch's).
 */
record ServiceMemory(String name, String target, int httpPort, long pid) {
    record Sample(long liveHeap, long rss) {
    }

    /** From HOST:GRPC_PORT:HTTP_PORT:PID. */
    static ServiceMemory parse(String name, String spec) {
        String[] p = spec.split(":");
        return new ServiceMemory(name, p[0] + ":" + p[1], Integer.parseInt(p[2]), Long.parseLong(p[3]));
    }

    Sample sample() throws IOException, InterruptedException {
        Process gc = new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").redirectErrorStream(true).start();
        gc.getInputStream().readAllBytes();
        if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + pid + " GC.run failed for " + name);
        }
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        long heap = (long) PrometheusText.sum(metrics, "jvm_memory_used_bytes", "area=\"heap\"");
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return new Sample(heap, rss);
    }
}
