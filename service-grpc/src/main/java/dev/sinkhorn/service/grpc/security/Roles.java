package dev.sinkhorn.service.grpc.security;

import java.util.Set;

/**
 * The two roles of a secured deployment and which RPCs need which. {@code operator} may change what
 * is trained and served (StartTraining, CancelTraining, StartSweep, Promote, Rollback) and do
 * everything a {@code client} may: read and compute (everything else). The standard gRPC health
 * service answers anyone (probes and load balancers call it without credentials).
 */
public final class Roles {
    public static final String OPERATOR = "operator";
    public static final String CLIENT = "client";

    /** Full method names (service/method) that need the operator role. */
    public static final Set<String> OPERATOR_METHODS = Set.of(
            "sinkhorn.v1.TrainerService/StartTraining",
            "sinkhorn.v1.TrainerService/CancelTraining",
            "sinkhorn.v1.TrainerService/StartSweep",
            "sinkhorn.v1.InferenceService/Promote",
            "sinkhorn.v1.InferenceService/Rollback",
            "sinkhorn.v1.InferenceService/SetPromotionPolicy");

    private Roles() {
    }

    /** The role a method needs, or null when anyone may call it. */
    public static String required(String fullMethodName) {
        if (fullMethodName.startsWith("grpc.health.v1.Health/")) {
            return null;
        }
        return OPERATOR_METHODS.contains(fullMethodName) ? OPERATOR : CLIENT;
    }

    /** Whether an identity with these roles may call a method needing {@code required} (operators are clients too). */
    public static boolean allows(Set<String> roles, String required) {
        return required == null || roles.contains(required) || (required.equals(CLIENT) && roles.contains(OPERATOR));
    }
}
