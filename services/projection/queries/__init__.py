"""Queries: each reads one projection's tables and shapes the answer."""
