"""The domain: aggregates, the rules they enforce, and the handler of each command
(beside the aggregate it changes). No I/O here: handlers work through the unit of
work."""
