"""F1 help content carried by each widget class (posting's ``HelpData`` idea).

The app's F1 handler walks up from the focused widget to the first ancestor whose class has a
``HELP`` attribute, so a help text covers the widget and everything inside it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HelpData:
    title: str
    markdown: str
