"""Notify's rules, without I/O: who is told what and when (``rules``), how partner webhooks
are signed and verified (``webhooks``), and when a failed delivery is tried again
(``retries``)."""
