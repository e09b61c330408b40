package dev.sinkhorn.trainer;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Where the trainer's finished spans go in tests: a SpanExporter bean replaces the OTLP exporter.
 * Unused while the SDK is off (the default); EvaluationEventsTest turns it on.
 */
@ApplicationScoped
public class InMemorySpans {
    @Produces
    @Singleton
    @Unremovable
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}
