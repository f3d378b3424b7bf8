"""The query API's endpoints (queries, documents, projection status) and the projector
process's status app."""
