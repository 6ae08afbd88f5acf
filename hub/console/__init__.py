"""The manager's web console and the citizen's ticket page, served by the hub (no JS build step)."""
