package dev.sinkhorn.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a test class that needs the real Kafka broker (and tags it "kafka", so a build can run just
 * these: -Dgroups=kafka). In Testcontainers mode without Docker or without the sinkhorn/kafka image
 * the class is skipped (reported as skipped, not failed), before any application starts.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresKafka.Condition.class)
@Tag("kafka")
public @interface RequiresKafka {
    /** True when the test stops and restarts the broker itself, which only the embedded broker allows. */
    boolean restartable() default false;

    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            boolean restartable = context.getTestClass()
                    .map(c -> c.getAnnotation(RequiresKafka.class))
                    .map(RequiresKafka::restartable).orElse(false);
            if (!KafkaTestBroker.testcontainersMode()) {
                return ConditionEvaluationResult.enabled("embedded KRaft broker");
            }
            if (restartable) {
                return ConditionEvaluationResult.disabled("restarts the broker, which needs the embedded broker");
            }
            if (Containers.required()) {
                return ConditionEvaluationResult.enabled("Testcontainers Kafka (" + Containers.REQUIRED_ENV + "=required)");
            }
            List<String> missing = Containers.missingImages(List.of("kafka"));
            return missing.isEmpty() ? ConditionEvaluationResult.enabled("Testcontainers Kafka")
                    : ConditionEvaluationResult.disabled("sinkhorn.kafka=testcontainers but " + (Containers.dockerAvailable()
                    ? "the image sinkhorn/kafka:" + Containers.version() + " is not built (deploy/containers/build)"
                    : "no Docker engine was found"));
        }
    }
}
