"""Tests of the HTTP source, presets and the init/fetch commands."""
