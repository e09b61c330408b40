package dev.sinkhorn.trainer;

import dev.sinkhorn.core.model.Devices;
import dev.sinkhorn.service.grpc.WarmupGate;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Before the trainer reports started and ready: loads libtorch (CPU, or CUDA where the image
 * carries it and a GPU is there), so that the startup probe covers it and the first job does not
 * pay for it, nor download anything inside a call.
 */
@ApplicationScoped
public class Warmup {
    private static final Logger LOG = Logger.getLogger(Warmup.class);

    @Inject
    WarmupGate gate;

    void onStart(@Observes StartupEvent event) {
        Thread t = new Thread(this::run, "warm-up");
        t.setDaemon(true);
        t.start();
    }

    private void run() {
        long start = System.nanoTime();
        String what;
        try {
            what = "libtorch loaded (" + Devices.forName("auto") + ", " + Devices.gpuCount() + " GPU(s))";
        } catch (RuntimeException | Error e) {
            // Not ready, ever: the startup probe fails and the orchestrator restarts (and reports) the pod.
            LOG.errorf(e, "libtorch failed to load: this trainer cannot train and will not report started");
            return;
        }
        gate.done(what + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        LOG.infof("warmed up: %s", gate.summary());
    }
}
