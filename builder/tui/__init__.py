"""The Textual app: ``app`` (the App), ``screens`` (one module per tab or pane) and ``state`` (the
TUI-side state and workers that are not widgets: session, evaluation process, fetching, auto-map)."""

import os

# Textual paints at most TEXTUAL_FPS frames a second (60 by default), and after a long frame its
# update timer waits one to two periods for the next one: the value of the record in view reached
# the screen 30-50 ms after a keystroke. At 120 that wait halves (#13: keystroke -> value ~40 -> ~25 ms
# p50, `bench/tui.py`); a frame is still painted only when something changed. Set before Textual is
# imported (it reads the variable once); a TEXTUAL_FPS the user set wins.
os.environ.setdefault("TEXTUAL_FPS", "120")
