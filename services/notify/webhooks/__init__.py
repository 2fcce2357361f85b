"""Partner webhooks: the deliveries an event makes (``planning``), and the dispatcher that
sends them, each endpoint in its own lane (``lanes``, ``dispatch``)."""
