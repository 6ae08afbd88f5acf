"""The county's region server: every hall ships its event log here (hub/upstream.py); the region keeps
the raw events in PostgreSQL and folds them into projections for the county's views. It holds no state
of its own between requests, so any number of region processes can serve one database."""
