"""Pure order-intake rules: waybill numbers, weights, commodity and customs rules, status
rules. No I/O here; handlers feed it data and act on its answers."""
