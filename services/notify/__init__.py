"""Proactive customer and partner notifications: e-mail, SMS, signed webhooks, templates,
preferences, quiet hours, dedupe, post-delivery surveys. Publishes
fairwind.notifications.v1.

Not built yet: the package exists so the layout and the import contracts are in place."""
