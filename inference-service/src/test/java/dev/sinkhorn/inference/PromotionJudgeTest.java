package dev.sinkhorn.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.v1.Evaluation;
import dev.sinkhorn.v1.PromotionPolicy;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The promotion policy's arithmetic, with the service's defaults (0.002 and 0.002). */
class PromotionJudgeTest {
    private final PromotionJudge judge = new PromotionJudge(0.002, 0.002);
    private final PromotionPolicy defaults = PromotionPolicy.getDefaultInstance();

    private static Evaluation eval(long version, double tau, double anyWrong) {
        return Evaluation.newBuilder().setVersion(version).setMeanKendallTau(tau).setPropAnyWrong(anyWrong).build();
    }

    @Test
    void theFirstVersionIsPromotedOnceEvaluated() {
        PromotionJudge.Verdict v = judge.judge(defaults, eval(1, 0.1, 0.9), 0, Optional.empty()).orElseThrow();
        assertTrue(v.promote());
        assertEquals("first version of the model, evaluated: mean Kendall tau 0.1000, prop_any_wrong 0.9000", v.reason());
    }

    @Test
    void aCandidateMayBeWorseByTheToleranceButNoMore() {
        Optional<Evaluation> serving = Optional.of(eval(3, 0.9900, 0.0300));
        assertTrue(judge.judge(defaults, eval(4, 0.9881, 0.0319), 3, serving).orElseThrow().promote(), "within 0.002 on both");
        PromotionJudge.Verdict tau = judge.judge(defaults, eval(4, 0.9870, 0.0300), 3, serving).orElseThrow();
        assertFalse(tau.promote());
        assertTrue(tau.reason().startsWith("worse mean Kendall tau: mean Kendall tau 0.9870 vs 0.9900 of v3 (may be at most 0.002 lower)"),
                tau.reason());
        PromotionJudge.Verdict both = judge.judge(defaults, eval(4, 0.5, 0.5), 3, serving).orElseThrow();
        assertTrue(both.reason().startsWith("worse mean Kendall tau and prop_any_wrong"), both.reason());
        assertTrue(judge.judge(defaults, eval(4, 0.9950, 0.0100), 3, serving).orElseThrow().promote(), "better");
    }

    @Test
    void thePolicyIsSetPerModel() {
        Optional<Evaluation> serving = Optional.of(eval(3, 0.90, 0.30));
        PromotionPolicy demanding = PromotionPolicy.newBuilder().setMaxKendallTauDrop(-0.01).setMaxPropAnyWrongRise(0).build();
        assertFalse(judge.judge(demanding, eval(4, 0.905, 0.30), 3, serving).orElseThrow().promote(), "must gain 0.01");
        assertTrue(judge.judge(demanding, eval(4, 0.911, 0.29), 3, serving).orElseThrow().promote());
        assertTrue(judge.judge(PromotionPolicy.newBuilder().setManualOnly(true).build(), eval(4, 1, 0), 3, serving).isEmpty());
        assertTrue(judge.judge(defaults, eval(2, 1, 0), 3, serving).isEmpty(), "older than the serving version: no verdict");
    }
}
