"""The command side: HTTP commands, validated by aggregates, appended to the event store."""
