"""The benchmark: liaison measured against the limits of this machine (see README)."""
