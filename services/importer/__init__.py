"""Importing a branch's existing Excel ledgers (台账): sheets recognised by their
headers (``sheets``), messy cells normalised in one place (``cells``), rows turned
into commands (``kinds``) and run on the command bus as the importer (``running``),
or run against a unit of work that commits nothing, for the dry run (``dry_run``)."""
