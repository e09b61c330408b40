package dev.sinkhorn.service.kafka;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Makes {@link KafkaClients} from the service's configuration: every {@code kafka.*} key (or
 * KAFKA_* environment variable), as Quarkus' Kafka extension collects them, e.g.
 * kafka.bootstrap.servers, kafka.security.protocol, kafka.sasl.mechanism, kafka.sasl.jaas.config,
 * kafka.ssl.truststore.location.
 */
@ApplicationScoped
public class KafkaClientsProducer {

    @Produces
    @ApplicationScoped
    KafkaClients kafkaClients(@Identifier("default-kafka-broker") Map<String, Object> configured) {
        Map<String, Object> connection = new HashMap<>(configured);
        // The extension adds the application name as a default group.id; our consumers choose their own.
        connection.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaClients(connection);
    }
}
