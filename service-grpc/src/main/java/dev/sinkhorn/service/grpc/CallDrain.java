package dev.sinkhorn.service.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GlobalInterceptor;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Prioritized;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Graceful drain of the gRPC server on SIGTERM. Quarkus' shutdown delay turns readiness DOWN first
 * (quarkus.shutdown.delay: the orchestrator stops sending traffic); from then on new calls are
 * answered UNAVAILABLE ("shutting down"), which clients may retry on another replica. Calls under
 * way finish: shutdown waits for them, up to quarkus.shutdown.timeout, before the server closes
 * (Quarkus' separate gRPC server does not wait for them by itself). Streams that never end on their
 * own (WatchTraining) are ended by their service with a status, never cut.
 */
@ApplicationScoped
@GlobalInterceptor
public class CallDrain implements ServerInterceptor, Prioritized {
    private static final Logger LOG = Logger.getLogger(CallDrain.class);

    @ConfigProperty(name = "quarkus.shutdown.timeout", defaultValue = "30S")
    Duration timeout;

    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    @Inject
    void registerGauge(MeterRegistry metrics) {
        metrics.gauge("sinkhorn.grpc.calls.in.flight", inFlight); // sinkhorn_grpc_calls_in_flight
    }

    @Override
    public int getPriority() {
        return 20_000; // before the access check: while draining, nobody gets in
    }

    /** Readiness has just turned DOWN (the shutdown delay began): stop taking calls. */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        startDraining();
    }

    /** Shutdown proper, before the server closes: wait for the calls under way (early: priority 100). */
    void onShutdown(@Observes @Priority(100) ShutdownEvent event) {
        startDraining();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (inFlight) {
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                try {
                    inFlight.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (inFlight.get() > 0) {
            LOG.warnf("%d gRPC call(s) still under way after %s (quarkus.shutdown.timeout); the server closes now", inFlight.get(),
                    timeout);
        } else {
            LOG.info("every gRPC call under way finished; the server closes");
        }
    }

    private void startDraining() {
        if (!draining) {
            draining = true;
            LOG.infof("draining: new gRPC calls are answered UNAVAILABLE; %d under way may finish", inFlight.get());
        }
    }

    /** Whether the service is shutting down (services end their endless streams when it is). */
    public boolean isDraining() {
        return draining;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (draining && !method.startsWith("grpc.health.v1.Health/")) {
            call.close(Status.UNAVAILABLE.withDescription("this replica is shutting down; call again (another replica answers)"),
                    new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        inFlight.incrementAndGet();
        CountedCall<Q, R> counted = new CountedCall<>(call);
        ServerCall.Listener<Q> listener = next.startCall(counted, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onCancel() {
                try {
                    super.onCancel();
                } finally {
                    counted.end();
                }
            }
        };
    }

    /** A call that leaves the count once, when it is closed or cancelled. */
    private final class CountedCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private final AtomicBoolean ended = new AtomicBoolean();

        CountedCall(ServerCall<Q, R> call) {
            super(call);
        }

        @Override
        public void close(Status status, Metadata trailers) {
            try {
                super.close(status, trailers);
            } finally {
                end();
            }
        }

        void end() {
            if (ended.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
                synchronized (inFlight) {
                    inFlight.notifyAll();
                }
            }
        }
    }
}
