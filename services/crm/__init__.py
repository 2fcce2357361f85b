"""Customer archive (VIP information system), five-quintile classification, key-account churn
risk, surveys, caller-ID lookup. REST + gRPC CustomerService; publishes fairwind.crm.v1.

Not built yet: the package exists so the layout and the import contracts are in place."""
