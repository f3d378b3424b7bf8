"""The auditor's side: the event store read directly — the log with filters and
exports, one aggregate's history and its state at a moment or version. It writes
nothing (its exports are recorded through ``shared.export_log``).

It folds an aggregate as it was with the command side's pure domain, and nothing
else of the command side; the query API's composition root mounts it beside the
read models' queries, which do not know it."""
