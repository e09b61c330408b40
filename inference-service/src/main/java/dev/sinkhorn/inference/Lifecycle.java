package dev.sinkhorn.inference;

import dev.sinkhorn.core.errors.InvalidInputException;
import dev.sinkhorn.core.errors.NotFoundException;
import dev.sinkhorn.core.errors.PreconditionFailedException;
import dev.sinkhorn.service.kafka.CheckpointRecords;
import dev.sinkhorn.v1.Decision;
import dev.sinkhorn.v1.DecisionKind;
import dev.sinkhorn.v1.Evaluation;
import dev.sinkhorn.v1.ModelVersion;
import dev.sinkhorn.v1.PromotionPolicy;
import dev.sinkhorn.v1.VersionState;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The model lifecycle: which version of a model serves. A new version is a candidate; the replica
 * that evaluated it asks {@link #judge} and the model's {@link PromotionJudge policy} promotes or
 * rejects it; operators {@link #promote}, {@link #rollback} and {@link #setPolicy}. Each change is a
 * {@link Decision} record holding the model's whole state after it, written to sinkhorn.decisions
 * ({@link DecisionWriter}) and applied here at once; every replica applies it when it reads it.
 *
 * <p>Changes are made one at a time on a replica; two replicas deciding on the same model at the
 * same moment both write, and the later record wins (docs/lifecycle.md).
 */
@ApplicationScoped
public class Lifecycle {
    private static final Logger LOG = Logger.getLogger(Lifecycle.class);
    static final int MAX_REASON = 500;

    @Inject
    ModelRegistry registry;
    @Inject
    DecisionWriter writer;
    @Inject
    InferenceConfig config;
    @Inject
    MeterRegistry metrics;

    private PromotionJudge judge;

    @PostConstruct
    void init() {
        judge = new PromotionJudge(config.promotion().maxKendallTauDrop(), config.promotion().maxPropAnyWrongRise());
    }

    /**
     * Decides by the policy on an evaluated, loaded version that has no decision yet (nothing when
     * the policy is manual-only or the version is older than the serving one).
     */
    synchronized void judge(String model, long version) {
        Decision current = registry.decision(model);
        Optional<Evaluation> evaluation = registry.evaluation(model, version);
        if (evaluation.isEmpty() || !registry.has(model, version) || verdict(current, version).isPresent()) {
            return;
        }
        long serving = current.getServingVersion();
        judge.judge(current.getPolicy(), evaluation.get(), serving, registry.evaluation(model, serving)).ifPresent(v -> {
            Decision.Builder next = next(current, version, v.promote() ? DecisionKind.PROMOTED_BY_POLICY : DecisionKind.REJECTED_BY_POLICY,
                    v.reason(), "policy");
            if (v.promote()) {
                serve(next, version);
            }
            setVerdict(next, version, v.promote() ? VersionState.SERVING : VersionState.REJECTED,
                    (v.promote() ? "promoted: " : "rejected: ") + v.reason());
            commit(next);
        });
    }

    /** Makes a kept version the serving one, whatever its evaluation. */
    synchronized Decision promote(String model, long version, String reason, String by) {
        CheckpointRecords.requireModelName("model", model);
        checkReason(reason);
        if (version == 0) {
            throw new InvalidInputException("version: must name a kept version (ListVersions), not 0");
        }
        if (!registry.has(model, version)) {
            throw new NotFoundException("model '" + model + "' version " + version + " is not kept; the kept versions are "
                    + registry.versions(model).stream().map(LoadedModel::version).toList());
        }
        Decision current = registry.decision(model);
        String why = "promoted by " + by + (reason.isEmpty() ? "" : ": " + reason);
        Decision.Builder next = next(current, version, DecisionKind.PROMOTED_BY_OPERATOR, why, by);
        if (current.getServingVersion() != version) {
            serve(next, version);
        }
        setVerdict(next, version, VersionState.SERVING, why);
        return commit(next);
    }

    /** Back to the version that served before the current one. */
    synchronized Decision rollback(String model, String reason, String by) {
        CheckpointRecords.requireModelName("model", model);
        checkReason(reason);
        Decision current = registry.decision(model);
        List<Long> history = current.getServingHistoryList();
        if (history.size() < 2) {
            throw new PreconditionFailedException("model '" + model + "' has no version that served before "
                    + (history.isEmpty() ? "(none has served yet)" : "v" + history.get(0)) + "; Promote names a version instead");
        }
        long from = history.get(history.size() - 1);
        long to = history.get(history.size() - 2);
        if (!registry.has(model, to)) {
            throw new NotFoundException("model '" + model + "' version " + to + ", which served before v" + from
                    + ", is not kept any more; Promote names a kept version instead");
        }
        String why = "rolled back to v" + to + " by " + by + (reason.isEmpty() ? "" : ": " + reason);
        Decision.Builder next = next(current, from, DecisionKind.ROLLED_BACK, why, by);
        next.clearServingHistory().addAllServingHistory(history.subList(0, history.size() - 1)).setServingVersion(to);
        setVerdict(next, from, VersionState.REJECTED, why);
        return commit(next);
    }

    /** Sets the policy the model's next candidates are judged by. */
    synchronized Decision setPolicy(String model, PromotionPolicy policy, String by) {
        CheckpointRecords.requireModelName("model", model);
        if (policy.hasMaxKendallTauDrop() && !Double.isFinite(policy.getMaxKendallTauDrop())
                || policy.hasMaxPropAnyWrongRise() && !Double.isFinite(policy.getMaxPropAnyWrongRise())) {
            throw new InvalidInputException("policy: max_kendall_tau_drop and max_prop_any_wrong_rise must be finite");
        }
        Decision current = registry.decision(model);
        return commit(next(current, current.getServingVersion(), DecisionKind.POLICY_SET, "policy set by " + by + ": "
                + policy.toString().replace('\n', ' ').trim(), by).setPolicy(policy));
    }

    /** A version's state, as ListVersions and ListModels report it. */
    ModelVersion describe(LoadedModel m) {
        Decision d = registry.decision(m.name());
        Optional<ModelVersion> verdict = verdict(d, m.version());
        VersionState state;
        if (d.getServingVersion() == m.version()) {
            state = VersionState.SERVING;
        } else if (verdict.map(v -> v.getState() == VersionState.REJECTED).orElse(false)) {
            state = VersionState.REJECTED;
        } else if (d.getEverServedList().contains(m.version())) {
            state = VersionState.RETIRED;
        } else {
            state = VersionState.CANDIDATE;
        }
        ModelVersion.Builder v = ModelVersion.newBuilder().setVersion(m.version()).setState(state)
                .setEpoch(m.checkpoint().getEpoch()).setJobId(m.checkpoint().getJobId())
                .setCreatedAtMs(m.checkpoint().getCreatedAtMs()).setReason(verdict.map(ModelVersion::getReason).orElse(""));
        registry.evaluation(m.name(), m.version()).ifPresent(v::setEvaluation);
        return v.build();
    }

    private static Optional<ModelVersion> verdict(Decision d, long version) {
        return d.getVerdictsList().stream().filter(v -> v.getVersion() == version).findFirst();
    }

    private Decision.Builder next(Decision current, long version, DecisionKind kind, String reason, String by) {
        String jobId = registry.versions(current.getModel()).stream().filter(m -> m.version() == version)
                .map(m -> m.checkpoint().getJobId()).findFirst().orElse("");
        return current.toBuilder().setModel(current.getModel()).setVersion(version).setKind(kind).setReason(reason)
                .setDecidedBy(by).setJobId(jobId);
    }

    private static void serve(Decision.Builder next, long version) {
        next.setServingVersion(version).addServingHistory(version);
        if (!next.getEverServedList().contains(version)) {
            next.addEverServed(version);
        }
    }

    private static void setVerdict(Decision.Builder next, long version, VersionState state, String reason) {
        List<ModelVersion> verdicts = new ArrayList<>(next.getVerdictsList());
        verdicts.removeIf(v -> v.getVersion() == version);
        verdicts.add(ModelVersion.newBuilder().setVersion(version).setState(state).setReason(reason).build());
        verdicts.sort((a, b) -> Long.compare(a.getVersion(), b.getVersion()));
        next.clearVerdicts().addAllVerdicts(verdicts);
    }

    private static void checkReason(String reason) {
        if (reason.length() > MAX_REASON) {
            throw new InvalidInputException("reason: " + reason.length() + " characters; at most " + MAX_REASON);
        }
    }

    private Decision commit(Decision.Builder next) {
        Decision d = next.setDecidedAtMs(System.currentTimeMillis()).build();
        writer.write(d);
        registry.applyDecision(d);
        metrics.counter("sinkhorn.lifecycle.decisions", "kind", d.getKind().name().toLowerCase(java.util.Locale.ROOT)).increment();
        LOG.infof("%s v%d: %s (serving v%d)", d.getModel(), d.getVersion(), d.getReason(), d.getServingVersion());
        return d;
    }
}
