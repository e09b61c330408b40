package dev.sinkhorn.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a test class that runs the pipeline's container images. Without a Docker engine, or
 * without the images (deploy/containers/build makes them), the class is skipped with one line
 * saying why; with SINKHORN_CONTAINER_TESTS=required (CI) it runs anyway and fails instead, so a
 * missing engine can never pass as a skip there.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresImages.Condition.class)
public @interface RequiresImages {
    /** Image names without the sinkhorn/ prefix and the tag, e.g. "kafka", "matcher-service". */
    String[] value();

    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            List<String> wanted = context.getTestClass().map(c -> c.getAnnotation(RequiresImages.class))
                    .map(a -> List.of(a.value())).orElse(List.of());
            if (wanted.isEmpty()) {
                return ConditionEvaluationResult.enabled("no images needed");
            }
            if (Containers.required()) {
                return ConditionEvaluationResult.enabled(Containers.REQUIRED_ENV + "=required: container tests must run");
            }
            if (!Containers.dockerAvailable()) {
                return ConditionEvaluationResult.disabled("no Docker engine: container tests skipped (deploy/containers/build "
                        + "installs and starts one, then builds the images)");
            }
            List<String> missing = Containers.missingImages(wanted);
            return missing.isEmpty() ? ConditionEvaluationResult.enabled("images present")
                    : ConditionEvaluationResult.disabled("images " + missing + " (tag " + Containers.version()
                    + ") not built: container tests skipped; deploy/containers/build makes them");
        }
    }
}
