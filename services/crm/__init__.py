"""Customer archive (VIP information system), five-quintile classification (Q1..Q5),
caller ID by phone or by name and company, complaints, account managers and their key
accounts, churn risk, satisfaction joined to outcomes, reports. REST + gRPC
CustomerService; consumes orders, tracking, SLA and survey events; publishes
SegmentChanged, ChurnRiskRaised and KeyAccountBreached on fairwind.crm.v1. See docs/crm.md."""
