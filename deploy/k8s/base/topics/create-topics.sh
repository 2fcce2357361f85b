#!/usr/bin/env bash
# Creates Fairwind's event topics and their dead-letter topics. Safe to run again: topics
# that exist are left alone. Used by the `kafka-init` service in docker-compose.yml and by
# the `fairwind-topics` Job in Kubernetes; runs in the apache/kafka image.
#
# Environment:
#   BOOTSTRAP_SERVERS     Kafka bootstrap address (required)
#   EVENT_PARTITIONS      partitions per event topic          (default 12)
#   DLQ_PARTITIONS        partitions per dead-letter topic     (default 3)
#   REPLICATION_FACTOR    replicas per partition               (default 1)
#   MIN_INSYNC_REPLICAS   min.insync.replicas for every topic  (default 1)
#   DLQ_RETENTION_MS      retention of dead-letter topics      (default -1: kept until handled)
#   WAIT_SECONDS          how long to wait for the broker      (default 300)
set -euo pipefail

: "${BOOTSTRAP_SERVERS:?set BOOTSTRAP_SERVERS to the Kafka bootstrap address}"
KAFKA_BIN=${KAFKA_BIN:-/opt/kafka/bin}
EVENT_PARTITIONS=${EVENT_PARTITIONS:-12}
DLQ_PARTITIONS=${DLQ_PARTITIONS:-3}
REPLICATION_FACTOR=${REPLICATION_FACTOR:-1}
MIN_INSYNC_REPLICAS=${MIN_INSYNC_REPLICAS:-1}
DLQ_RETENTION_MS=${DLQ_RETENTION_MS:--1}
WAIT_SECONDS=${WAIT_SECONDS:-300}

# One topic per event family (see docs/contracts.md); each has a `<topic>.dlq`.
FAMILIES=(orders routes tracking sla notifications crm)

topics() {
    "$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" "$@"
}

deadline=$((SECONDS + WAIT_SECONDS))
until existing=$(topics --list 2>/dev/null); do
    if ((SECONDS >= deadline)); then
        echo "Kafka at $BOOTSTRAP_SERVERS did not answer within ${WAIT_SECONDS}s" >&2
        exit 1
    fi
    echo "waiting for Kafka at $BOOTSTRAP_SERVERS ..."
    sleep 5
done

create() {
    local name=$1 partitions=$2
    shift 2
    if grep -qxF "$name" <<<"$existing"; then
        echo "exists   $name"
        return
    fi
    topics --create --if-not-exists --topic "$name" \
        --partitions "$partitions" --replication-factor "$REPLICATION_FACTOR" \
        --config "min.insync.replicas=$MIN_INSYNC_REPLICAS" "$@"
    echo "created  $name ($partitions partitions, replication factor $REPLICATION_FACTOR)"
}

for family in "${FAMILIES[@]}"; do
    topic="fairwind.${family}.v1"
    create "$topic" "$EVENT_PARTITIONS"
    create "$topic.dlq" "$DLQ_PARTITIONS" --config "retention.ms=$DLQ_RETENTION_MS"
done
echo "topics ready"
