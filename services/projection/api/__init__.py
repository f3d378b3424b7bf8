"""The query API: read models, projection status and the audit trail over HTTP."""
