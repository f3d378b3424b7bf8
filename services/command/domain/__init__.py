"""The pure domain: aggregates, commands and the rules they enforce. No I/O here."""
