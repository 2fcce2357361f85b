"""Fairwind's services, one package each. They share the platform kit (``fairwind``) and the
generated contracts (``fairwind.v1``) and never import each other (import-linter checks)."""
