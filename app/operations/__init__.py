"""Running the platform: worker heartbeat, health check, structured logs."""
