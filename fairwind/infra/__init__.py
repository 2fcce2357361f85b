"""Real infrastructure as local processes: the Tansu Kafka broker and a mongod replica set."""

from fairwind.infra.embedded import EmbeddedInfra
from fairwind.infra.processes import InfraError

__all__ = ["EmbeddedInfra", "InfraError"]
