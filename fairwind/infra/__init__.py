"""Real infrastructure as local processes: Apache Kafka (KRaft) where a JDK is, the Tansu
broker otherwise, and a mongod replica set."""

from fairwind.infra.broker import BrokerProcess, select_broker
from fairwind.infra.local import LocalInfra
from fairwind.infra.processes import InfraError

__all__ = ["BrokerProcess", "InfraError", "LocalInfra", "select_broker"]
