"""Pure routing rules: the network, earliest-arrival route computation, promises, prices,
coverage. No I/O beyond reading the network file at start."""
