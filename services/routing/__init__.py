"""The network (outlets, hubs, linehaul schedules), time-dependent route computation,
promises, price quotes, coverage, pickup dispatch and re-planning. gRPC RouteService;
publishes fairwind.routes.v1.

Not built yet: the package exists so the layout and the import contracts are in place."""
