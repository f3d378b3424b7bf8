"""The command API: HTTP in, commands to the bus, ``{id, version, position}`` out."""
