package dev.sinkhorn.trainer;

import dev.sinkhorn.service.grpc.GrpcErrors;
import dev.sinkhorn.service.grpc.RequestParsing;
import dev.sinkhorn.service.grpc.UnaryCalls;
import dev.sinkhorn.v1.JobRef;
import dev.sinkhorn.v1.ListJobsRequest;
import dev.sinkhorn.v1.ListJobsResponse;
import dev.sinkhorn.v1.Sweep;
import dev.sinkhorn.v1.SweepEvent;
import dev.sinkhorn.v1.SweepRef;
import dev.sinkhorn.v1.SweepSpec;
import dev.sinkhorn.v1.TrainerServiceGrpc;
import dev.sinkhorn.v1.TrainingEvent;
import dev.sinkhorn.v1.TrainingJob;
import dev.sinkhorn.v1.TrainingSpec;
import dev.sinkhorn.v1.WatchRequest;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import java.util.concurrent.CancellationException;

/** gRPC adapter of TrainerService: validates specs and delegates to {@link Jobs} and {@link Sweeps}. */
@GrpcService
@Blocking
public class TrainerGrpcService implements TrainerServiceGrpc.AsyncService, BindableService {
    /** The generated binding, with requests whose bytes do not parse answered INVALID_ARGUMENT. */
    @Override
    public ServerServiceDefinition bindService() {
        return RequestParsing.rejectUnparsable(TrainerServiceGrpc.bindService(this));
    }

    @Inject
    Jobs jobs;
    @Inject
    TrainerConfig config;
    @Inject
    Sweeps sweeps;

    @Override
    public void startTraining(TrainingSpec request, StreamObserver<TrainingJob> out) {
        UnaryCalls.answer(out, () -> {
            TrainingSpec spec = Presets.fill(request);
            SpecValidator.validate(spec, config);
            return jobs.start(spec).snapshot();
        });
    }

    @Override
    public void watchTraining(WatchRequest request, StreamObserver<TrainingEvent> out) {
        try {
            jobs.get(request.getJobId()).watch((ServerCallStreamObserver<TrainingEvent>) out);
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
        }
    }

    @Override
    public void cancelTraining(JobRef request, StreamObserver<TrainingJob> out) {
        UnaryCalls.answer(out, () -> {
            try {
                return jobs.cancel(request.getJobId(), 30_000).snapshot();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while waiting for the job to stop");
            }
        });
    }

    @Override
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> out) {
        UnaryCalls.answer(out, () -> {
            ListJobsResponse.Builder r = ListJobsResponse.newBuilder();
            jobs.all().forEach(j -> r.addJobs(j.snapshot()));
            return r.build();
        });
    }


    @Override
    public void startSweep(SweepSpec request, StreamObserver<Sweep> out) {
        UnaryCalls.answer(out, () -> sweeps.start(request));
    }

    @Override
    public void watchSweep(SweepRef request, StreamObserver<SweepEvent> out) {
        try {
            sweeps.watch(request.getSweepId(), (ServerCallStreamObserver<SweepEvent>) out);
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
        }
    }
}
