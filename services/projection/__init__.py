"""The projection side: projectors fold envelopes into SQLAlchemy read models, and
the query API serves them. It reads envelopes only; it never imports the command
side, the relay or the audit part (``tests/unit/test_layering.py``)."""
