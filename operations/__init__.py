"""Running the installation: background task queue health, worker heartbeat, logs and metrics."""
