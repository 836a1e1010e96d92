"""The HTTP server: JSON API (and, later, the staff console, web chat and webhooks)."""
