"""Write SVG screenshots of the builder's states, tabs and dialogs into screenshots/, from the real app.

    python scripts/screenshots.py             # every state, tab, dialog and the palette, 140x44
    python scripts/screenshots.py --text      # also print each screen as plain text (for review)

The app runs headless against the built-in simulator with a fixed clock and seed (the same
states the snapshot tests check), so the pictures only change when the app does.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402

from tests.app.conftest import settle  # noqa: E402
from tests.app.snapshot_states import (SCREENS, STATES, demo_app, pick, pinned_surroundings,  # noqa: E402
                                       response_loaded, steady)
from tests.see.test_dashboard_tab import dashboard_shown  # noqa: E402


async def data_path_choices(pilot: Any) -> None:
    await response_loaded(pilot)
    pilot.app.query_one("#data-path").focus()
    await settle(pilot)
    steady(pilot.app)


async def enterprise_only(pilot: Any) -> None:
    await pick(pilot, "ai-code-commits")
    pilot.app.session.typed_key = "crsr_not_a_real_key_0000000000000000000000000000000000000000000000"
    await pilot.press("ctrl+r")
    await settle(pilot)
    steady(pilot.app)


EXTRA = {
    "data-path-choices": data_path_choices,
    "request-error": enterprise_only,
    "dashboard": dashboard_shown,
}


def screen_text(app: Any) -> str:
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, record=True,
                      color_system="truecolor", legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


async def shoot(name: str, state: Any, size: tuple[int, int], out: Path, text: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp, pinned_surroundings(Path(tmp)):
        app = demo_app(Path("cursor-builder.yaml"))  # in tmp: the paths the app offers are relative
        async with app.run_test(size=size) as pilot:
            await state(pilot)
            await pilot.pause()
            target = out / f"{name}.svg"
            target.write_text(app.export_screenshot(title=f"cursor-builder · {name}"), encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
            if text:
                print(screen_text(app))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", action="store_true", help="print each screen as text too")
    parser.add_argument("--only", nargs="*", help="state names to shoot")
    parser.add_argument("--size", default="140x44", help="terminal size, WIDTHxHEIGHT")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    out = ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    for name, state in {**STATES, **SCREENS, **EXTRA}.items():
        if args.only and name not in args.only:
            continue
        await shoot(name, state, (width, height), out, args.text)


if __name__ == "__main__":
    asyncio.run(main())
