package dev.sinkhorn.inference;

import dev.sinkhorn.v1.Evaluation;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest loaded version of every model, swapped atomically: a request sees the old or the
 * new model, never a mix, and an old model lives until its last request ends.
 */
@ApplicationScoped
public class ModelRegistry {
    private final Map<String, LoadedModel> models = new ConcurrentHashMap<>();
    private final Map<String, Evaluation> lastEvaluations = new ConcurrentHashMap<>();

    /** A model in use; close to end the lease. */
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

    /** The current version of a model, or -1 when none is loaded. */
    long currentVersion(String name) {
        LoadedModel m = models.get(name);
        return m == null ? -1 : m.version();
    }

    /** Installs a model if it is newer than the current one (else closes it); returns whether it was installed. */
    boolean install(LoadedModel candidate) {
        boolean[] installed = {false};
        LoadedModel[] retired = {null};
        models.compute(candidate.name(), (name, current) -> {
            if (current != null && current.version() >= candidate.version()) {
                return current;
            }
            installed[0] = true;
            retired[0] = current;
            return candidate;
        });
        if (!installed[0]) {
            candidate.release();
        } else if (retired[0] != null) {
            retired[0].release();
        }
        return installed[0];
    }

    /**
     * A lease on the named model: the newest version when version is 0, else exactly that version.
     *
     * @throws ModelNotLoadedException when there is no such model or version loaded
     */
    public Lease acquire(String name, long version) {
        while (true) {
            LoadedModel m = models.get(name);
            if (m == null) {
                throw new ModelNotLoadedException("no model named '" + name + "' is loaded; ListModels shows the models there are");
            }
            if (version != 0 && m.version() != version) {
                throw new ModelNotLoadedException("model '" + name + "' version " + version + " is not loaded; the loaded version is "
                        + m.version() + " (only the newest version of each model is served)");
            }
            if (m.acquire()) {
                return new Lease(m);
            }
            // It was replaced and closed between get and acquire: look again.
        }
    }

    /** A lease on exactly this version if it is still the loaded one; empty once a newer one replaced it. */
    Optional<Lease> acquireIfLoaded(String name, long version) {
        while (true) {
            LoadedModel m = models.get(name);
            if (m == null || m.version() != version) {
                return Optional.empty();
            }
            if (m.acquire()) {
                return Optional.of(new Lease(m));
            }
        }
    }

    /** Every loaded model, by name. */
    List<LoadedModel> all() {
        List<LoadedModel> list = new ArrayList<>(models.values());
        list.sort(Comparator.comparing(LoadedModel::name));
        return list;
    }

    void recordEvaluation(Evaluation e) {
        lastEvaluations.merge(e.getModel(), e, (old, neu) -> neu.getVersion() >= old.getVersion() ? neu : old);
    }

    Evaluation lastEvaluation(String name) {
        return lastEvaluations.get(name);
    }

    /** True when an evaluation of exactly this version has been seen. */
    boolean evaluated(String name, long version) {
        Evaluation e = lastEvaluations.get(name);
        return e != null && e.getVersion() >= version;
    }
}
