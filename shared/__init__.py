"""What the command and projection sides agree on: the event contract, settings, ids, clocks."""
