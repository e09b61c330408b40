package dev.sinkhorn.core.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Both views of a score on a hand-computed case: two blank pieces swapped is right up to identical content, and only then. */
class PairScoresTest {
    @Test
    void swappingIdenticalItemsIsAnErrorOnlyPositionally() {
        // Four items of one value each: items 1 and 3 are blank (0), items 0 and 2 are not.
        float[] items = {5, 0, 7, 0};
        int[] truth = {0, 1, 2, 3};
        PairScores s = new PairScores();
        assertEquals(0.0, s.add(truth, new int[] {0, 3, 2, 1}, items, 0, 1), 1e-15); // the blanks swapped: positional tau 0 (as SciPy)
        s.add(truth, new int[] {2, 1, 0, 3}, items, 0, 1); // two distinct items swapped
        assertEquals(1.0, s.positional().propAnyWrong());
        assertEquals(4.0 / 8, s.positional().propWrong());
        assertEquals(0.5, s.interchangeable().propAnyWrong());
        assertEquals(2.0 / 8, s.interchangeable().propWrong());
        // tau (SciPy's values): each swap of two items two positions apart gives 0 positionally; the blank
        // swap is exact when interchangeable (1), the other stays 0.
        assertEquals(0.5, s.interchangeable().meanKendallTau(), 1e-15);
        assertEquals(0.0, s.positional().meanKendallTau(), 1e-15);
        // l1 (positional): the blank swap moves nothing; the other swap moves |5-7| twice, over 8 values.
        assertEquals(4.0 / 8, s.positional().l1(), 1e-15);
    }

    @Test
    void withoutContentBothViewsAgree() {
        PairScores s = new PairScores();
        s.add(new int[] {0, 1, 2}, new int[] {1, 0, 2});
        assertEquals(s.positional().meanKendallTau(), s.interchangeable().meanKendallTau());
        assertEquals(s.positional().propWrong(), s.interchangeable().propWrong());
    }
}
