package dev.sinkhorn.inference;

import dev.sinkhorn.v1.Decision;
import dev.sinkhorn.v1.Evaluation;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Every kept version of every model this replica has loaded, the evaluations seen for them, and
 * each model's newest lifecycle {@link Decision}, which names the serving version. A request leases
 * one version and sees it whole; a retired version is closed when its last lease ends.
 */
@ApplicationScoped
public class ModelRegistry {
    /** model -> version -> loaded model. */
    private final Map<String, NavigableMap<Long, LoadedModel>> models = new ConcurrentSkipListMap<>();
    /** model -> version -> its evaluation. */
    private final Map<String, NavigableMap<Long, Evaluation>> evaluations = new ConcurrentHashMap<>();
    /** model -> its newest decision (the lifecycle state). */
    private final Map<String, Decision> decisions = new ConcurrentHashMap<>();

    /** A model version in use; close to end the lease. */
    public static final class Lease implements AutoCloseable {
        private final LoadedModel model;

        private Lease(LoadedModel model) {
            this.model = model;
        }

        LoadedModel model() {
            return model;
        }

        @Override
        public void close() {
            model.release();
        }
    }

    /** Whether exactly this version is loaded. */
    boolean has(String name, long version) {
        NavigableMap<Long, LoadedModel> versions = models.get(name);
        return versions != null && versions.containsKey(version);
    }

    /** The newest loaded version of a model, or -1 when none is. */
    long newestVersion(String name) {
        NavigableMap<Long, LoadedModel> versions = models.get(name);
        return versions == null || versions.isEmpty() ? -1 : versions.lastKey();
    }

    /** Adds a version unless it is loaded already (then closes the candidate); returns whether it was added. */
    boolean install(LoadedModel candidate) {
        LoadedModel existing = models.computeIfAbsent(candidate.name(), n -> new ConcurrentSkipListMap<>())
                .putIfAbsent(candidate.version(), candidate);
        if (existing != null) {
            candidate.release();
            return false;
        }
        return true;
    }

    /** Unloads a version (retired by the retention policy); requests using it finish first. */
    boolean retire(String name, long version) {
        NavigableMap<Long, LoadedModel> versions = models.get(name);
        LoadedModel removed = versions == null ? null : versions.remove(version);
        if (removed != null) {
            removed.release();
        }
        return removed != null;
    }

    /**
     * A lease on the named model: its serving version when version is 0, else exactly that version.
     *
     * @throws ModelNotLoadedException when there is no such model, no serving version yet, or the
     *         version is not kept
     */
    public Lease acquire(String name, long version) {
        while (true) {
            NavigableMap<Long, LoadedModel> versions = models.get(name);
            if (versions == null || versions.isEmpty()) {
                throw new ModelNotLoadedException("no model named '" + name + "' is loaded; ListModels shows the models there are");
            }
            long wanted = version;
            if (version == 0) {
                wanted = servingVersion(name);
                if (wanted == 0) {
                    throw new ModelNotLoadedException("model '" + name + "' has no serving version yet: versions "
                            + versions.keySet() + " are candidates awaiting their evaluation (name one to use it anyway;"
                            + " ListVersions shows their states)");
                }
            }
            LoadedModel m = versions.get(wanted);
            if (m == null) {
                throw new ModelNotLoadedException("model '" + name + "' version " + wanted
                        + (version == 0 ? " (its serving version)" : "") + " is not loaded on this replica; the kept versions are "
                        + versions.keySet());
            }
            if (m.acquire()) {
                return new Lease(m);
            }
            // It was retired and closed between get and acquire: look again.
        }
    }

    /** A lease on exactly this version while it is loaded. */
    Optional<Lease> acquireIfLoaded(String name, long version) {
        while (true) {
            NavigableMap<Long, LoadedModel> versions = models.get(name);
            LoadedModel m = versions == null ? null : versions.get(version);
            if (m == null) {
                return Optional.empty();
            }
            if (m.acquire()) {
                return Optional.of(new Lease(m));
            }
        }
    }

    /** The names of the models with at least one loaded version, sorted. */
    List<String> names() {
        return models.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
    }

    /** Every loaded version of a model, oldest first. */
    List<LoadedModel> versions(String name) {
        NavigableMap<Long, LoadedModel> versions = models.get(name);
        return versions == null ? List.of() : new ArrayList<>(versions.values());
    }

    /** Every loaded version of every model, by name, then version. */
    List<LoadedModel> all() {
        List<LoadedModel> list = new ArrayList<>();
        for (String name : names()) {
            list.addAll(versions(name));
        }
        return list;
    }

    void recordEvaluation(Evaluation e) {
        evaluations.computeIfAbsent(e.getModel(), n -> new ConcurrentSkipListMap<>()).put(e.getVersion(), e);
    }

    /** The evaluation of exactly this version, if one was seen. */
    Optional<Evaluation> evaluation(String name, long version) {
        NavigableMap<Long, Evaluation> e = evaluations.get(name);
        return Optional.ofNullable(e == null ? null : e.get(version));
    }

    /** The evaluation of the newest evaluated version of a model, or null. */
    Evaluation lastEvaluation(String name) {
        NavigableMap<Long, Evaluation> e = evaluations.get(name);
        return e == null || e.isEmpty() ? null : e.lastEntry().getValue();
    }

    /** Replaces the model's lifecycle state by this decision (records are applied in log order). */
    void applyDecision(Decision d) {
        decisions.put(d.getModel(), d);
    }

    /** The model's newest decision; the default instance (nothing decided, default policy) when none. */
    Decision decision(String name) {
        return decisions.getOrDefault(name, Decision.newBuilder().setModel(name).build());
    }

    /** The version Predict with version 0 answers; 0 while none has been promoted. */
    long servingVersion(String name) {
        Decision d = decisions.get(name);
        return d == null ? 0 : d.getServingVersion();
    }
}
