package dev.sinkhorn.inference;

import dev.sinkhorn.core.errors.NotFoundException;
import dev.sinkhorn.service.kafka.CheckpointRecords;
import dev.sinkhorn.v1.Decision;
import dev.sinkhorn.v1.Evaluation;
import dev.sinkhorn.v1.ListModelsResponse;
import dev.sinkhorn.v1.ListVersionsResponse;
import dev.sinkhorn.v1.ModelInfo;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/** What this replica serves, as ListModels and ListVersions report it. */
@ApplicationScoped
public class ModelCatalog {
    @Inject
    ModelRegistry registry;
    @Inject
    Lifecycle lifecycle;

    ListModelsResponse listModels() {
        ListModelsResponse.Builder r = ListModelsResponse.newBuilder();
        for (String name : registry.names()) {
            List<LoadedModel> versions = registry.versions(name);
            if (versions.isEmpty()) {
                continue; // retired meanwhile
            }
            long serving = registry.servingVersion(name);
            LoadedModel shown = versions.stream().filter(m -> m.version() == serving).findFirst().orElse(versions.get(versions.size() - 1));
            ModelInfo.Builder info = ModelInfo.newBuilder().setName(name).setVersion(serving)
                    .setNewestVersion(versions.get(versions.size() - 1).version())
                    .setSpec(shown.checkpoint().getSpec()).setDataset(shown.checkpoint().getDataset())
                    .setJobId(shown.checkpoint().getJobId()).setEpoch(shown.checkpoint().getEpoch()).setLoadedAtMs(shown.loadedAtMs());
            Evaluation last = registry.lastEvaluation(name);
            if (last != null) {
                info.setLastEvaluation(last);
            }
            versions.forEach(m -> info.addVersions(lifecycle.describe(m)));
            r.addModels(info);
        }
        return r.build();
    }

    ListVersionsResponse listVersions(String model) {
        CheckpointRecords.requireModelName("model", model);
        List<LoadedModel> versions = registry.versions(model);
        if (versions.isEmpty()) {
            throw new NotFoundException("no version of a model named '" + model + "' is kept; ListModels shows the models there are");
        }
        Decision d = registry.decision(model);
        ListVersionsResponse.Builder r = ListVersionsResponse.newBuilder().setModel(model).setServingVersion(d.getServingVersion())
                .setPolicy(d.getPolicy());
        versions.forEach(m -> r.addVersions(lifecycle.describe(m)));
        return r.build();
    }
}
