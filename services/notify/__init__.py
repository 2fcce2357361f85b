"""Proactive customer and partner notifications: e-mail, SMS, signed webhooks, templates,
preferences, quiet hours, dedupe, post-delivery surveys. Publishes
fairwind.notifications.v1.

Built so far: the rules, webhook signing and the retry schedule (``domain/``). The service
around them (consumers, channels, the partner API) is not built yet."""
