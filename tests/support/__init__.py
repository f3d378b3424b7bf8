"""Test support: real services (isolated per test), HTTP helpers, processes."""
