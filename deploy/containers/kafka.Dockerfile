# sinkhorn/kafka: a single-node KRaft broker from the Maven Central kafka jars that takes the
# apache/kafka image's KAFKA_* environment variables (see kafka/run), so Testcontainers'
# KafkaContainer accepts it as a compatible substitute. Data in /var/lib/kafka/data (no VOLUME line:
# mount one where the data must outlive the container).
ARG BASE
FROM ${BASE}
COPY libs/ /opt/kafka/libs/
COPY run /etc/kafka/docker/run
RUN mkdir -p /var/lib/kafka/data /tmp/kafka && chown -R 185:0 /var/lib/kafka /tmp/kafka && chmod -R g=u /var/lib/kafka /tmp/kafka
USER 185
WORKDIR /tmp
EXPOSE 9092 9093
CMD ["/etc/kafka/docker/run"]
