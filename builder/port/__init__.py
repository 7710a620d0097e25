"""Port's side: the REST client (``client``), Port's validation rules (``rules``) and the embedded,
Port-compatible catalog (``catalog``: SQLite behind an ASGI app) that a sync can target locally."""
