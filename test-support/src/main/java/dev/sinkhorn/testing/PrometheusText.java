package dev.sinkhorn.testing;

/**
 * Reads values out of a Prometheus text exposition (what /q/metrics answers). A sample line is
 * {@code name{labels} value [timestamp] [# exemplar]}: with traces on, Quarkus appends exemplars
 * ({@code # {span_id=...,trace_id=...} 1.0 1796172695.475}), so the value is the first token after
 * the name and labels, never the last one on the line.
 */
public final class PrometheusText {
    private PrometheusText() {
    }

    /** The sum of every series of the metric {@code name} whose line contains {@code labelFilter} (may be ""). */
    public static double sum(String exposition, String name, String labelFilter) {
        double sum = 0;
        for (String line : exposition.split("\n")) {
            if (!(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            int labelsEnd = line.startsWith(name + "{") ? line.indexOf('}') + 1 : name.length();
            if (!line.substring(0, labelsEnd).contains(labelFilter)) {
                continue;
            }
            String rest = line.substring(labelsEnd).trim();
            int space = rest.indexOf(' ');
            sum += Double.parseDouble(space < 0 ? rest : rest.substring(0, space));
        }
        return sum;
    }

    /** The sum of every series of the metric {@code name}. */
    public static double sum(String exposition, String name) {
        return sum(exposition, name, "");
    }
}
