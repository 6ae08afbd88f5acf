"""The manager's web console: its pages' routes, reports and their export (no domain rules)."""
