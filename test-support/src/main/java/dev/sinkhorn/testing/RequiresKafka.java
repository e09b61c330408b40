package dev.sinkhorn.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a test class that needs the real Kafka broker. In Testcontainers mode without Docker the
 * class is skipped (reported as skipped, not failed), before any application starts.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresKafka.Condition.class)
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
            return KafkaTestBroker.dockerAvailable()
                    ? ConditionEvaluationResult.enabled("Testcontainers Kafka")
                    : ConditionEvaluationResult.disabled("sinkhorn.kafka=testcontainers but no Docker environment was found");
        }
    }
}
