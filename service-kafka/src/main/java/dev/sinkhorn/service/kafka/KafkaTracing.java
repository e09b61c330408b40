package dev.sinkhorn.service.kafka;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Traces across Kafka records (OpenTelemetry, W3C trace context in the record headers), so that one
 * trace runs from StartTraining through the checkpoint, its loading and evaluation, to the
 * Evaluation event back at the trainer. gRPC calls are traced by Quarkus itself; our Kafka clients
 * are plain kafka-clients, which it does not instrument. With the SDK off (the default,
 * quarkus.otel.sdk.disabled=true) every call here is a no-op.
 */
@ApplicationScoped
public class KafkaTracing {
    @Inject
    OpenTelemetry otel;

    private Tracer tracer() {
        return otel.getTracer("dev.sinkhorn.kafka");
    }

    private TextMapPropagator propagator() {
        return otel.getPropagators().getTextMapPropagator();
    }

    /**
     * Sends a record in a PRODUCER span ("TOPIC publish", a child of the current context), with the
     * span's context in the record's headers; the span ends when the broker answers.
     */
    public Future<RecordMetadata> send(KafkaProducer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> record) {
        Span span = tracer().spanBuilder(record.topic() + " publish").setSpanKind(SpanKind.PRODUCER)
                .setAttribute("messaging.system", "kafka").setAttribute("messaging.destination.name", record.topic()).startSpan();
        try (Scope scope = span.makeCurrent()) {
            propagator().inject(Context.current(), record.headers(), HeadersSetter.INSTANCE);
            return producer.send(record, (metadata, error) -> {
                if (error != null) {
                    span.recordException(error);
                    span.setStatus(StatusCode.ERROR);
                }
                span.end();
            });
        }
    }

    /** Runs the handling of a record in a CONSUMER span ("TOPIC process") whose parent is the context the record carries. */
    public void process(ConsumerRecord<byte[], byte[]> record, Runnable handle) {
        Context parent = propagator().extract(Context.root(), record.headers(), HeadersGetter.INSTANCE);
        Span span = tracer().spanBuilder(record.topic() + " process").setParent(parent).setSpanKind(SpanKind.CONSUMER)
                .setAttribute("messaging.system", "kafka").setAttribute("messaging.destination.name", record.topic())
                .setAttribute("messaging.kafka.offset", record.offset()).startSpan();
        try (Scope scope = span.makeCurrent()) {
            handle.run();
        } catch (RuntimeException e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
        }
    }

    private enum HeadersSetter implements TextMapSetter<Headers> {
        INSTANCE;

        @Override
        public void set(Headers headers, String key, String value) {
            headers.remove(key);
            headers.add(key, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    private enum HeadersGetter implements TextMapGetter<Headers> {
        INSTANCE;

        @Override
        public Iterable<String> keys(Headers headers) {
            List<String> keys = new ArrayList<>();
            headers.forEach(h -> keys.add(h.key()));
            return keys;
        }

        @Override
        public String get(Headers headers, String key) {
            Header h = headers == null ? null : headers.lastHeader(key);
            return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    }
}
