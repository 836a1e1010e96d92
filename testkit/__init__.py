"""Test support shared by tests/ and benchmarks/: local stand-ins for the platforms the assistant talks to.

Not part of the installed product; it is importable because tests and benchmarks run from the repository root.
Modules: `loopback` (any ASGI app served by uvicorn on a free 127.0.0.1 port, in a thread), `graph_api` (a fake
WhatsApp Cloud (Graph) API that records the messages sent and can fail on purpose), `telegram_api` (a fake
Telegram Bot API: updates to poll, what the bot sent, injected faults) and `telegram_files` (its getFile
and file downloads), `process` (`mentor serve` as its own process, its log in a file).
"""
