"""Order intake for partner shippers: validation, idempotency, customs rules, waybills,
labels, cancellation, batch import. REST; publishes fairwind.orders.v1; calls routing and
crm over gRPC.

Not built yet: the package exists so the layout and the import contracts are in place."""
