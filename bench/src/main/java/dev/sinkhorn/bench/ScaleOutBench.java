package dev.sinkhorn.bench;

import dev.sinkhorn.testing.KafkaTestBroker;
import dev.sinkhorn.testing.ServiceProcess;
import dev.sinkhorn.testing.TrainerGroup;
import dev.sinkhorn.v1.JobState;
import dev.sinkhorn.v1.TrainerServiceGrpc;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import dev.sinkhorn.v1.TrainingSpec;
import dev.sinkhorn.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Training scale-out on this machine: jobs per hour of one fixed small job (2x2 MNIST, 1 epoch of
 * TRAIN_LIMIT images, lr 1e-3) with 1 and with 2 trainer processes in one group (the 2 cores split
 * between them, then both on every core), all 12 jobs started at once (one model per partition of
 * sinkhorn.jobs, so 2 replicas get 6 each); then, ROUNDS times,
 * the time from SIGKILL of the replica running a job to that job running again on the other.
 * Broker in this JVM (a real KRaft broker), trainers from their jars.
 *
 * <pre>java -cp ... dev.sinkhorn.bench.ScaleOutBench [TRAIN_LIMIT] [ROUNDS]</pre>
 */
public final class ScaleOutBench {
    private static final String GROUP = "sinkhorn-trainers";
    private static final int PARTITIONS = 12;

    private ScaleOutBench() {
    }

    public static void main(String[] args) throws Exception {
        int trainLimit = args.length > 0 ? Integer.parseInt(args[0]) : 6400;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String bootstrap = KafkaTestBroker.bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            System.out.println("| trainer replicas | libtorch threads each | jobs | wall time | jobs per hour | vs 1 replica |");
            System.out.println("|---:|---:|---:|---:|---:|---:|");
            double one = 0;
            // {replicas, threads}: the machine's 2 cores to one replica, split over two (as pods with their
            // own CPU limits get them), and two replicas that both take every core (oversubscribed).
            for (int[] setup : new int[][] {{1, 2}, {2, 1}, {2, 2}}) {
                List<ServiceProcess> trainers = start(bootstrap, setup[0], setup[1]);
                try {
                    TrainerGroup.awaitOwners(admin, GROUP, PARTITIONS, Duration.ofSeconds(60), ports(trainers));
                    double seconds = runAll(trainers.get(0), "r" + setup[0] + "t" + setup[1] + "-" + System.currentTimeMillis(), trainLimit);
                    double perHour = PARTITIONS / seconds * 3600;
                    one = one == 0 ? perHour : one;
                    System.out.printf("| %d | %d | %d | %.1f s | %,.0f | %.2fx |%n", setup[0], setup[1], PARTITIONS, seconds, perHour,
                            perHour / one);
                } finally {
                    trainers.forEach(ServiceProcess::stop);
                }
            }
            System.out.println();
            System.out.println("| round | job resumed on the other replica after the SIGKILL | resumed from |");
            System.out.println("|---:|---:|---|");
            List<ServiceProcess> trainers = start(bootstrap, 2, 1);
            try {
                for (int round = 1; round <= rounds; round++) {
                    Map<Integer, Set<Integer>> owned = TrainerGroup.awaitOwners(admin, GROUP, PARTITIONS, Duration.ofSeconds(60),
                            ports(trainers));
                    ServiceProcess victim = trainers.get(round % 2);
                    ServiceProcess survivor = trainers.get((round + 1) % 2);
                    String model = TrainerGroup.modelsOn("lost" + round + "-" + System.currentTimeMillis(), owned.get(victim.grpcPort()),
                            PARTITIONS, 1).get(0);
                    double[] resumed = killDuringJob(victim, survivor, model, trainLimit);
                    System.out.printf("| %d | %.1f s | v%d |%n", round, resumed[0], (long) resumed[1]);
                    victim.start();
                }
            } finally {
                trainers.forEach(ServiceProcess::stop);
            }
        }
    }

    private static List<ServiceProcess> start(String bootstrap, int replicas, int threads) {
        List<ServiceProcess> out = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            out.add(new ServiceProcess("trainer-service").with("kafka.bootstrap.servers", bootstrap)
                    .with("trainer.final-evaluation-wait", "0S").with("trainer.jobs-session-timeout", "10S")
                    .with("ai.djl.pytorch.num_threads", Integer.toString(threads)).start());
        }
        return out;
    }

    private static int[] ports(List<ServiceProcess> trainers) {
        return trainers.stream().mapToInt(ServiceProcess::grpcPort).toArray();
    }

    private static TrainingSpec spec(String model, int epochs, int trainLimit) {
        return TrainingSpec.newBuilder().setModel(model).setEpochs(epochs).setTrainLimit(trainLimit).setLearningRate(1e-3f).build();
    }

    /** Starts one job per partition through the trainer and waits for all; the wall seconds from the first start to the last end. */
    private static double runAll(ServiceProcess through, String prefix, int trainLimit) throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", through.grpcPort()).usePlaintext().build();
        ExecutorService watchers = Executors.newFixedThreadPool(PARTITIONS);
        try {
            TrainerServiceGrpc.TrainerServiceBlockingStub stub = TrainerServiceGrpc.newBlockingStub(channel);
            long start = System.nanoTime();
            List<CompletableFuture<TrainingJob>> ends = new ArrayList<>();
            for (int p : IntStream.range(0, PARTITIONS).toArray()) {
                String model = TrainerGroup.modelsOn(prefix + "-p" + p, Set.of(p), PARTITIONS, 1).get(0);
                TrainingJob job = stub.startTraining(spec(model, 1, trainLimit));
                ends.add(CompletableFuture.supplyAsync(() -> toEnd(stub, job.getJobId()), watchers));
            }
            for (CompletableFuture<TrainingJob> e : ends) {
                TrainingJob end = e.get(30, TimeUnit.MINUTES);
                if (end.getState() != JobState.SUCCEEDED) {
                    throw new IllegalStateException("job " + end.getJobId() + " " + end.getState() + ": " + end.getError());
                }
            }
            return (System.nanoTime() - start) / 1e9;
        } finally {
            watchers.shutdownNow();
            channel.shutdownNow();
        }
    }

    private static TrainingJob toEnd(TrainerServiceGrpc.TrainerServiceBlockingStub stub, String jobId) {
        Iterator<TrainingEvent> it = stub.withDeadlineAfter(30, TimeUnit.MINUTES).watchTraining(WatchRequest.newBuilder().setJobId(jobId).build());
        TrainingJob end = null;
        while (it.hasNext()) {
            TrainingEvent e = it.next();
            end = e.hasFinished() ? e.getFinished() : end;
        }
        return end;
    }

    /** Runs a 3-epoch job on the victim, kills it after the first checkpoint; seconds until `started` (attempt 2) on the survivor, and its version. */
    private static double[] killDuringJob(ServiceProcess victim, ServiceProcess survivor, String model, int trainLimit) throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", survivor.grpcPort()).usePlaintext().build();
        try {
            TrainerServiceGrpc.TrainerServiceBlockingStub stub = TrainerServiceGrpc.newBlockingStub(channel);
            TrainingJob job = stub.startTraining(spec(model, 3, trainLimit));
            Iterator<TrainingEvent> it = stub.withDeadlineAfter(10, TimeUnit.MINUTES)
                    .watchTraining(WatchRequest.newBuilder().setJobId(job.getJobId()).build());
            while (it.hasNext() && !it.next().hasCheckpoint()) {
                // the first checkpoint: the job has progress to resume from
            }
            victim.kill();
            long killed = System.nanoTime();
            double[] out = null;
            TrainingJob end = null;
            while (it.hasNext()) {
                TrainingEvent e = it.next();
                if (out == null && e.hasStarted() && e.getStarted().getAttempt() == 2) {
                    out = new double[] {(System.nanoTime() - killed) / 1e9, e.getStarted().getResumedFromVersion()};
                }
                end = e.hasFinished() ? e.getFinished() : end;
            }
            if (out == null || end == null || end.getState() != JobState.SUCCEEDED) {
                throw new IllegalStateException("the job was not resumed to its end: " + end + " " + Arrays.toString(out));
            }
            return out;
        } finally {
            channel.shutdownNow();
        }
    }
}
