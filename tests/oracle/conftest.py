"""The oracle runner runs under port-ocean's own venv (Python >= 3.12), never under pytest."""

collect_ignore = ["ocean_runner.py", "cursor_data.py"]
