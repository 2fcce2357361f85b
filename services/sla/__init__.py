"""Faust stream processors for live SLA compliance (pickup, outlet delivery, promise) and
at-risk warnings. Publishes fairwind.sla.v1; compliance over HTTP and Prometheus.

Not built yet: the package exists so the layout and the import contracts are in place."""
