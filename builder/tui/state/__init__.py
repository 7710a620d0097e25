"""TUI-side state that holds no widgets: the session (what was fetched, per resource), the
evaluation worker process, fetching and auto-mapping."""
