"""The HTTP server: the JSON API (`routes/`), the staff console (`console/`), the web chat (`chat.py`) and the
messaging platforms' webhooks (`webhooks/`), assembled by `app.create_app`. Nothing imports `web` except the
CLI's `serve` and `nudges run`."""
