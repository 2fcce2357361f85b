"""Fairwind platform kit: what every service shares (settings, event bus, MongoDB, metrics,
gRPC, logging, embedded infrastructure). Services import the kit, never each other."""
