"""Where responses come from: the HTTP client that builds requests the way the deployed Ocean Custom
integration does (``client``), its pagination (``pagination``), authentication (``auth``), retries
(``retry``) and the captured exchanges with their coverage report (``exchange``)."""
