"""The Textual app's screens and panes (Build, and the tabs registered in ``registry``)."""
