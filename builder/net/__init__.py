"""The HTTP toolkit shared by both sides of the wire: a very small ASGI router (``asgi``) under the Cursor
simulator and the embedded Port catalog, and the retry policy (``retry``) of the Cursor source and the
Port client. It imports nothing else of the builder."""
