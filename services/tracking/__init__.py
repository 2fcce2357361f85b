"""Handheld and hub scans, the forward-only shipment state machine, planned-vs-actual
comparison, public lookup with privacy masking and live updates. REST + gRPC
TrackingService; publishes fairwind.tracking.v1.

Not built yet: the package exists so the layout and the import contracts are in place."""
