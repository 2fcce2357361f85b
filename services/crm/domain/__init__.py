"""The crm service's rules, pure: no I/O, no clock (checked by import-linter)."""
