"""Headless Debian chromium for the tests that look at pages (the briefing's HTML, the explorer):
the flags the machine's closed network needs (no background connections, a fresh profile), kept
once in runners.report.browser beside its DevTools driver."""

from __future__ import annotations

from runners.report.browser import FLAGS as CHROMIUM_FLAGS

__all__ = ["CHROMIUM_FLAGS"]
