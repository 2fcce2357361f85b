"""What ``make run`` runs: the local infrastructure, every service and a simulated day.

It knows the services by name, their ports (``deploy/ports.toml``) and what to tell a
person about them; the platform kit ``fairwind/`` knows none of that and never imports it.
"""
