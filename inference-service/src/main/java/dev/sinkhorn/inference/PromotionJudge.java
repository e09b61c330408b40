package dev.sinkhorn.inference;

import dev.sinkhorn.v1.Evaluation;
import dev.sinkhorn.v1.PromotionPolicy;
import java.util.Locale;
import java.util.Optional;

/**
 * Judges an evaluated candidate against the serving version by the model's promotion policy: it
 * is promoted when its mean Kendall tau is at most {@code max_kendall_tau_drop} below the serving
 * version's and its prop_any_wrong at most {@code max_prop_any_wrong_rise} above it (unset fields
 * take the service's defaults); the first version of a model is promoted once evaluated. No
 * verdict (empty) for a manual-only policy or a candidate older than the serving version.
 */
final class PromotionJudge {
    /** Promote or reject, and why in words. */
    record Verdict(boolean promote, String reason) {
    }

    private final double defaultTauDrop;
    private final double defaultAnyWrongRise;

    PromotionJudge(double defaultTauDrop, double defaultAnyWrongRise) {
        this.defaultTauDrop = defaultTauDrop;
        this.defaultAnyWrongRise = defaultAnyWrongRise;
    }

    /**
     * @param serving the serving version, 0 when none
     * @param servingEvaluation its evaluation, empty when none was seen
     */
    Optional<Verdict> judge(PromotionPolicy policy, Evaluation candidate, long serving, Optional<Evaluation> servingEvaluation) {
        if (policy.getManualOnly() || candidate.getVersion() <= serving) {
            return Optional.empty();
        }
        if (serving == 0) {
            return Optional.of(new Verdict(true, String.format(Locale.ROOT,
                    "first version of the model, evaluated: mean Kendall tau %.4f, prop_any_wrong %.4f",
                    candidate.getMeanKendallTau(), candidate.getPropAnyWrong())));
        }
        if (servingEvaluation.isEmpty()) {
            return Optional.of(new Verdict(true, "the serving version v" + serving + " has no evaluation to compare with"));
        }
        Evaluation s = servingEvaluation.get();
        double tauDrop = policy.hasMaxKendallTauDrop() ? policy.getMaxKendallTauDrop() : defaultTauDrop;
        double rise = policy.hasMaxPropAnyWrongRise() ? policy.getMaxPropAnyWrongRise() : defaultAnyWrongRise;
        boolean tauOk = candidate.getMeanKendallTau() >= s.getMeanKendallTau() - tauDrop;
        boolean anyWrongOk = candidate.getPropAnyWrong() <= s.getPropAnyWrong() + rise;
        String comparison = String.format(Locale.ROOT,
                "mean Kendall tau %.4f vs %.4f of v%d (may be at most %s lower), prop_any_wrong %.4f vs %.4f (may be at most %s higher)",
                candidate.getMeanKendallTau(), s.getMeanKendallTau(), serving, tauDrop, candidate.getPropAnyWrong(),
                s.getPropAnyWrong(), rise);
        if (tauOk && anyWrongOk) {
            return Optional.of(new Verdict(true, comparison));
        }
        String failed = !tauOk && !anyWrongOk ? "mean Kendall tau and prop_any_wrong" : !tauOk ? "mean Kendall tau" : "prop_any_wrong";
        return Optional.of(new Verdict(false, "worse " + failed + ": " + comparison));
    }
}
