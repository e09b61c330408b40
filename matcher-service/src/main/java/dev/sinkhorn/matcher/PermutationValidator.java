package dev.sinkhorn.matcher;

import dev.sinkhorn.core.errors.InvalidInputException;
import dev.sinkhorn.v1.Permutation;
import java.util.List;

/** Validates permutation fields: full permutations of 0..n-1, all of one length. */
final class PermutationValidator {
    private PermutationValidator() {
    }

    /**
     * Converts and validates {@code perms}: each must be a permutation of 0..n-1 of the given
     * length (or, when {@code length} is -1, of the length of the first one). The message names
     * the field, the entry and the position.
     */
    static int[][] toArrays(String field, List<Permutation> perms, int length) {
        int[][] out = new int[perms.size()][];
        int n = length;
        for (int k = 0; k < perms.size(); k++) {
            Permutation p = perms.get(k);
            if (n < 0) {
                n = p.getIndexCount();
                if (n == 0) {
                    throw new InvalidInputException(field + "[0] is empty; permutations need at least one entry");
                }
            }
            if (p.getIndexCount() != n) {
                throw new InvalidInputException(field + "[" + k + "] has " + p.getIndexCount() + " entries, expected " + n);
            }
            int[] a = new int[n];
            boolean[] seen = new boolean[n];
            for (int i = 0; i < n; i++) {
                long v = Integer.toUnsignedLong(p.getIndex(i));
                if (v >= n) {
                    throw new InvalidInputException(field + "[" + k + "].index[" + i + "] = " + v + " is out of range [0, " + n + ")");
                }
                if (seen[(int) v]) {
                    throw new InvalidInputException(field + "[" + k + "].index[" + i + "] = " + v + " repeats an earlier entry");
                }
                seen[(int) v] = true;
                a[i] = (int) v;
            }
            out[k] = a;
        }
        return out;
    }
}
