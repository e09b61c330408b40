package dev.sinkhorn.trainer;

import dev.sinkhorn.core.errors.InvalidInputException;
import dev.sinkhorn.core.errors.NotFoundException;
import dev.sinkhorn.v1.Sweep;
import dev.sinkhorn.v1.SweepEvent;
import dev.sinkhorn.v1.SweepSpec;
import dev.sinkhorn.v1.TrainingSpec;
import io.grpc.stub.ServerCallStreamObserver;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Hyper-parameter sweeps: one job per point ({@link SweepPoints}), each an ordinary job (spread over
 * the replicas by its model's partition), marked with the sweep's id so that any replica can watch
 * the whole sweep ({@link SweepWatch}).
 */
@ApplicationScoped
public class Sweeps {
    @Inject
    Jobs jobs;
    @Inject
    TrainerConfig config;

    /** Validates every point first (none starts if one is invalid), then queues them all. */
    Sweep start(SweepSpec spec) {
        List<SweepPoints.Point> points = SweepPoints.of(spec, config.maxSweepPoints());
        List<TrainingSpec> filled = new ArrayList<>();
        for (int k = 0; k < points.size(); k++) {
            TrainingSpec s = Presets.fill(points.get(k).spec());
            try {
                SpecValidator.validate(s, config);
            } catch (InvalidInputException e) {
                throw new InvalidInputException("point " + k + " (" + points.get(k).description() + "): " + e.getMessage());
            }
            filled.add(s);
        }
        String id = UUID.randomUUID().toString();
        Sweep.Builder sweep = Sweep.newBuilder().setSweepId(id).setName(spec.getName());
        for (int k = 0; k < filled.size(); k++) {
            sweep.addJobs(jobs.start(filled.get(k), id, points.get(k).description()).snapshot());
        }
        return sweep.build();
    }

    /** Streams the sweep's job events and tables until every job has ended. */
    void watch(String sweepId, ServerCallStreamObserver<SweepEvent> out) {
        List<Job> of = jobs.ofSweep(sweepId);
        if (of.isEmpty()) {
            throw new NotFoundException("no sweep '" + sweepId + "' on the trainers; StartSweep returns a sweep's id");
        }
        new SweepWatch(of, out).start();
    }
}
