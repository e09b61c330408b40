package dev.sinkhorn.inference;

import dev.sinkhorn.v1.ListModelsResponse;
import dev.sinkhorn.v1.ModelInfo;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** What this replica serves, as ListModels reports it: each loaded model with its newest evaluation. */
@ApplicationScoped
public class ModelCatalog {
    @Inject
    ModelRegistry registry;

    ListModelsResponse listModels() {
        ListModelsResponse.Builder r = ListModelsResponse.newBuilder();
        for (LoadedModel m : registry.all()) {
            ModelInfo.Builder info = ModelInfo.newBuilder().setName(m.name()).setVersion(m.version())
                    .setSpec(m.checkpoint().getSpec()).setDataset(m.checkpoint().getDataset())
                    .setJobId(m.checkpoint().getJobId()).setEpoch(m.checkpoint().getEpoch()).setLoadedAtMs(m.loadedAtMs());
            if (registry.lastEvaluation(m.name()) != null) {
                info.setLastEvaluation(registry.lastEvaluation(m.name()));
            }
            r.addModels(info);
        }
        return r.build();
    }
}
