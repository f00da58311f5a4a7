"""Liveness and readiness of one application process, for load balancers and orchestrators."""
