"""See the result: Port pages (dashboards) checked against Port's rules, and each widget's values
computed from entities with Port's semantics (reference/port-dashboards.md §1–§2, §4).

``pages``: the page/widget rules (``page_problems``, ``page_findings`` for the lint).
``options``: the one setting for what Port leaves open (time zone, range, nulls).
``widgets``: number / line / pie / table values from entities (``compute_page``).
``entities``: where the entities come from (the preview of every resource, or the embedded catalog).
Nothing here imports Textual.
"""
