package dev.sinkhorn.cli;

import com.google.protobuf.util.JsonFormat;
import dev.sinkhorn.v1.MatrixBatch;
import dev.sinkhorn.v1.Permutation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads matrices and permutations from a file or stdin ("-"):
 * <ul>
 *   <li>CSV: one matrix row per line, values separated by commas (or spaces); a blank line starts
 *       the next matrix;</li>
 *   <li>JSON: a nested array, [[...], ...] for one matrix or [[[...]]] for a batch; or a MatrixBatch
 *       object {"batch":..,"rows":..,"cols":..,"values":[...]}.</li>
 * </ul>
 * Permutations: one per line (CSV) or a JSON array of arrays.
 */
final class MatrixFiles {
    private MatrixFiles() {
    }

    static String read(String source) throws IOException {
        if (source.equals("-")) {
            try (InputStream in = System.in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        Path p = Path.of(source);
        if (!Files.isRegularFile(p)) {
            throw new IOException("no such file: " + source);
        }
        return Files.readString(p);
    }

    static MatrixBatch parseBatch(String text, String source) throws IOException {
        String t = text.strip();
        if (t.startsWith("{")) {
            MatrixBatch.Builder b = MatrixBatch.newBuilder();
            JsonFormat.parser().merge(t, b);
            return b.build();
        }
        List<List<List<Double>>> matrices = t.startsWith("[") ? nestedJson(t, source) : csv(t);
        if (matrices.isEmpty()) {
            throw new IOException(source + ": no matrix found");
        }
        int rows = matrices.get(0).size();
        int cols = matrices.get(0).get(0).size();
        MatrixBatch.Builder b = MatrixBatch.newBuilder().setBatch(matrices.size()).setRows(rows).setCols(cols);
        for (int m = 0; m < matrices.size(); m++) {
            if (matrices.get(m).size() != rows) {
                throw new IOException(source + ": matrix " + m + " has " + matrices.get(m).size() + " rows, matrix 0 has " + rows);
            }
            for (int i = 0; i < rows; i++) {
                List<Double> row = matrices.get(m).get(i);
                if (row.size() != cols) {
                    throw new IOException(source + ": matrix " + m + " row " + i + " has " + row.size() + " values, expected " + cols);
                }
                row.forEach(v -> b.addValues(v.floatValue()));
            }
        }
        return b.build();
    }

    static List<Permutation> parsePermutations(String text, String source) throws IOException {
        String t = text.strip();
        List<List<Double>> rows;
        if (t.startsWith("[")) {
            List<List<List<Double>>> nested = nestedJson("[" + t + "]", source);
            rows = nested.get(0);
        } else {
            List<List<List<Double>>> m = csv(t);
            rows = m.isEmpty() ? List.of() : m.get(0);
        }
        List<Permutation> out = new ArrayList<>();
        for (List<Double> r : rows) {
            Permutation.Builder p = Permutation.newBuilder();
            for (double v : r) {
                if (v != Math.rint(v) || v < 0) {
                    throw new IOException(source + ": permutation entries must be whole numbers >= 0, got " + v);
                }
                p.addIndex((int) v);
            }
            out.add(p.build());
        }
        return out;
    }

    private static List<List<List<Double>>> csv(String text) throws IOException {
        List<List<List<Double>>> matrices = new ArrayList<>();
        List<List<Double>> current = new ArrayList<>();
        int lineNo = 0;
        for (String line : text.split("\\R", -1)) {
            lineNo++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                if (!current.isEmpty()) {
                    matrices.add(current);
                    current = new ArrayList<>();
                }
                continue;
            }
            List<Double> row = new ArrayList<>();
            for (String cell : l.split("[,;\\s]+")) {
                try {
                    row.add(Double.parseDouble(cell));
                } catch (NumberFormatException e) {
                    throw new IOException("line " + lineNo + ": '" + cell + "' is not a number");
                }
            }
            current.add(row);
        }
        if (!current.isEmpty()) {
            matrices.add(current);
        }
        return matrices;
    }

    /** A JSON array of depth 2 (one matrix) or 3 (a batch) of numbers. */
    private static List<List<List<Double>>> nestedJson(String text, String source) throws IOException {
        Object parsed = new ArrayParser(text, source).parse();
        List<?> top = (List<?>) parsed;
        if (!top.isEmpty() && top.get(0) instanceof List<?> first && !first.isEmpty() && first.get(0) instanceof Double) {
            top = List.of(top); // one matrix
        }
        List<List<List<Double>>> out = new ArrayList<>();
        for (Object m : top) {
            List<List<Double>> matrix = new ArrayList<>();
            for (Object r : (List<?>) m) {
                List<Double> row = new ArrayList<>();
                for (Object v : (List<?>) r) {
                    if (!(v instanceof Double d)) {
                        throw new IOException(source + ": expected numbers at depth 3");
                    }
                    row.add(d);
                }
                matrix.add(row);
            }
            out.add(matrix);
        }
        return out;
    }

    /** The JSON subset of nested arrays of numbers. */
    private static final class ArrayParser {
        private final String s;
        private final String source;
        private int i;

        ArrayParser(String s, String source) {
            this.s = s;
            this.source = source;
        }

        Object parse() throws IOException {
            Object v = value();
            skip();
            if (i != s.length()) {
                throw error("trailing characters");
            }
            return v;
        }

        private Object value() throws IOException {
            skip();
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            if (s.charAt(i) == '[') {
                i++;
                List<Object> list = new ArrayList<>();
                skip();
                if (s.charAt(i) == ']') {
                    i++;
                    return list;
                }
                while (true) {
                    list.add(value());
                    skip();
                    char c = s.charAt(i++);
                    if (c == ']') {
                        return list;
                    }
                    if (c != ',') {
                        throw error("expected ',' or ']'");
                    }
                }
            }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            try {
                return Double.parseDouble(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw error("expected a number or '['");
            }
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private IOException error(String what) {
            return new IOException(source + ": JSON at character " + i + ": " + what);
        }
    }
}
