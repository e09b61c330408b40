package dev.sinkhorn.inference;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** DJL's engine, configured before its first use: offline (its telemetry calls would hang here). */
final class Djl {
    static {
        System.setProperty("ai.djl.offline", "true");
    }

    private Djl() {
    }

    /** The GPU when DJL reports one, else the CPU. */
    static Device device() {
        return Engine.getInstance().defaultDevice();
    }
}
