"""Customer archive (VIP information system), five-quintile classification (Q1..Q5) and
caller-ID lookup. REST + gRPC CustomerService; consumes fairwind.orders.v1 and
fairwind.tracking.v1; publishes SegmentChanged on fairwind.crm.v1. See docs/crm.md.

Not built yet: key-account churn risk, satisfaction surveys, account-manager assignment."""
