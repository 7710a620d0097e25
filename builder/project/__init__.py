"""The project: one YAML file holding the Ocean integration settings, the port-app-config and the
blueprints (``model``), read with line numbers for one-line errors (``yamlio``), and the ready-made
projects shipped under ``presets/`` (``presets``). Everything else in the pipeline starts here."""
