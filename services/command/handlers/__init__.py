"""The service layer: one handler per command, and the bus that runs them."""
