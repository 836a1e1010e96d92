"""Fake external services for tests: local servers that speak just enough of a real API."""
