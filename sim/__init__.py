"""The traffic simulator: partners, couriers and hubs acting on a running Fairwind through
its public interfaces only (REST for orders and scans, gRPC for courier tasks and routes,
the SLA worker's HTTP pages). ``python -m sim --help``; ``make run`` starts it."""
