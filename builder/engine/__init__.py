"""The mapping engine: JQ as Ocean runs it (``jqrt``), the fast path that compiles the jq mappings use
to Python (``jqnative``), data_path → itemsToParse → selector → entities exactly as port-ocean's
JQEntityProcessor does it (``mapping``), and pure helpers over JSON paths (``jsonpaths``).
No I/O, no Textual."""
