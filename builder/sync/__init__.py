"""Sync: map every resource and plan create / update / unchanged / stale (``plan``), stage the
blueprints (``blueprints``), run the bulk upserts (``run``) and keep every record that did not land in
the failures file (``failures``)."""
