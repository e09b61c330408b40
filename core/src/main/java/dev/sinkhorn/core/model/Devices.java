package dev.sinkhorn.core.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * Where models run. Touching this class first sets DJL offline: without it the engine's start-up
 * makes telemetry calls that hang on machines without internet access.
 */
public final class Devices {
    static {
        System.setProperty("ai.djl.offline", "true");
    }

    private Devices() {
    }

    public static int gpuCount() {
        return Engine.getInstance().getGpuCount();
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
