"""The auditor's side: the event store read directly — the log with filters and
exports, one aggregate's history and its state at a moment or version, and read
models as they stood at a moment, replayed on demand. It writes nothing.

It may use the command side's pure domain (to fold an aggregate as it was) and the
projectors (to replay a read model); neither of those depends on it."""
