package dev.sinkhorn.core.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * Where models run. Touching this class first sets DJL offline unless the deployment chose
 * otherwise (ai.djl.offline or DJL_OFFLINE set): the engine's start-up would otherwise make
 * telemetry calls that hang on machines without internet access. (The container images carry
 * libtorch, CPU and CUDA builds, so nothing needs fetching.)
 */
public final class Devices {
    static {
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    private Devices() {
    }

    public static int gpuCount() {
        return Engine.getInstance().getGpuCount();
    }

    /**
     * Command line: loads the engine (unpacking libtorch into DJL's cache folder, DJL_CACHE_DIR, on
     * first use) and says what it found. The container build runs it to put libtorch into the images.
     */
    public static void main(String[] args) {
        Engine engine = Engine.getInstance();
        System.out.println(engine.getEngineName() + " " + engine.getVersion() + ", default device " + engine.defaultDevice()
                + ", GPUs: " + engine.getGpuCount());
    }

    /** "gpu", "cpu", or "auto": a GPU when DJL reports one, else the CPU. */
    public static Device forName(String name) {
        return switch (name) {
            case "gpu" -> Device.gpu();
            case "cpu" -> Device.cpu();
            default -> Engine.getInstance().defaultDevice();
        };
    }
}
