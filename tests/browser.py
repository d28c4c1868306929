"""Headless Debian chromium for the tests that look at pages (the briefing's HTML, the explorer):
the flags the machine's closed network needs (no background connections, a fresh profile)."""

from __future__ import annotations

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
