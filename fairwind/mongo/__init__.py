"""MongoDB on PyMongo's async API: client factory, indexes, transactional outbox."""
