"""``python -m builder``: the same entry point as the ``cursor-builder`` command."""

from builder.start import entry

if __name__ == "__main__":
    entry()
