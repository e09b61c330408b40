package dev.sinkhorn.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.utils.Utils;

/**
 * The trainers' consumer group on sinkhorn.jobs as Kafka describes it: which replica owns which
 * partitions (a trainer's client id ends with ":" and its gRPC port), and model names whose jobs
 * land on given partitions (Kafka's default partitioner on the model name).
 */
public final class TrainerGroup {
    private TrainerGroup() {
    }

    /**
     * Waits until the replicas with these gRPC ports together own all {@code partitions} partitions,
     * each at least one; returns each one's partitions, by port.
     */
    public static Map<Integer, Set<Integer>> awaitOwners(Admin admin, String group, int partitions, Duration timeout, int... ports)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
            Map<Integer, Set<Integer>> owned = new HashMap<>();
            for (MemberDescription m : g.members()) {
                for (int port : ports) {
                    if (m.clientId().endsWith(":" + port)) {
                        Set<Integer> parts = new HashSet<>();
                        m.assignment().topicPartitions().forEach(tp -> parts.add(tp.partition()));
                        owned.put(port, parts);
                    }
                }
            }
            if (owned.size() == ports.length && owned.values().stream().noneMatch(Set::isEmpty)
                    && owned.values().stream().mapToInt(Set::size).sum() == partitions && g.members().size() == ports.length) {
                return owned;
            }
            TimeUnit.MILLISECONDS.sleep(200); // polling the group's description until the rebalance settled
        }
        throw new AssertionError("trainers " + java.util.Arrays.toString(ports) + " did not share the " + partitions
                + " partitions of group " + group + " within " + timeout);
    }

    /** The partition of sinkhorn.jobs a model's jobs go to. */
    public static int partitionOf(String model, int partitions) {
        return Utils.toPositive(Utils.murmur2(model.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** {@code count} model names (prefix-k) whose jobs land on one of the given partitions. */
    public static List<String> modelsOn(String prefix, Set<Integer> on, int partitions, int count) {
        List<String> out = new ArrayList<>();
        for (int k = 0; out.size() < count; k++) {
            String name = prefix + "-" + k;
            if (on.contains(partitionOf(name, partitions))) {
                out.add(name);
            }
        }
        return out;
    }
}
