"""The Textual app: ``app`` (the App), ``screens`` (one module per tab or pane) and ``state`` (the
TUI-side state and workers that are not widgets: session, evaluation process, fetching, auto-map)."""
