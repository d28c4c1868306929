"""Debian's chromium, headless, driven over the DevTools protocol on a pipe (no socket, no extra
package): for the benchmark's timing of the explorer and the tests that look at pages.

``--remote-debugging-pipe`` makes chromium read commands on its file descriptor 3 and write
replies and events on 4, each a JSON text ended by a NUL byte. :class:`Chromium` starts one
browser with a fresh profile and no background connections (the machine's network is closed and a
page's requests are what a test watches); :meth:`Chromium.open` gives a :class:`Tab` at a set
window size, with every request the page makes recorded.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""The flags every headless run takes: no sandbox (a container), no background connections."""


class BrowserError(RuntimeError):
    """Chromium refused a command, closed its pipe or did not answer in time."""


def find_chromium() -> Path | None:
    """``$CHROMIUM`` or ``chromium`` on the PATH (Debian's package), or None."""
    named = os.environ.get("CHROMIUM") or shutil.which("chromium")
    return Path(named) if named and Path(named).is_file() else None


def _child_fds(read_fd: int, write_fd: int):
    """In the child, before exec: the command pipe on fd 3, the reply pipe on fd 4."""

    def move() -> None:
        high_r, high_w = os.dup(read_fd), os.dup(write_fd)  # out of the way of 3 and 4 first
        os.dup2(high_r, 3, inheritable=True)
        os.dup2(high_w, 4, inheritable=True)

    return move


class Chromium:
    """One headless chromium on a DevTools pipe (a context manager; closed on exit)."""

    def __init__(self, executable: Path | None = None, timeout: float = 60.0) -> None:
        exe = executable or find_chromium()
        if exe is None:
            raise BrowserError("no chromium: apt-get install chromium (or set CHROMIUM to its path)")
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="snowball-chromium-")
        cmd_r, self._cmd_w = os.pipe()
        self._out_r, out_w = os.pipe()
        self._proc = subprocess.Popen(
            [
                str(exe),
                *FLAGS,
                "--remote-debugging-pipe",
                f"--user-data-dir={self._profile.name}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # 3 and 4 are open here (two pipes take the lowest free numbers), so they can be kept
            pass_fds=(3, 4),
            preexec_fn=_child_fds(cmd_r, out_w),  # noqa: PLW1509 (no threads start a browser)
        )
        os.close(cmd_r)
        os.close(out_w)
        self._buffer = b""
        self._next = 0
        self.events: list[dict] = []

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the browser and remove its profile."""
        if self._proc.poll() is None:
            try:
                self._write({"id": -1, "method": "Browser.close"})
                self._proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self._proc.kill()
                self._proc.wait()
        for fd in (self._cmd_w, self._out_r):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._profile.cleanup()

    def _write(self, message: dict) -> None:
        os.write(self._cmd_w, json.dumps(message).encode() + b"\0")

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._out_r], [], [], left)[0]:
                raise BrowserError(f"chromium did not answer within {self.timeout:g} s")
            chunk = os.read(self._out_r, 1 << 20)
            if not chunk:
                raise BrowserError("chromium closed its DevTools pipe")
            self._buffer += chunk
        text, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(text)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and wait for its reply; events that arrive meanwhile are kept in order."""
        self._next += 1
        message: dict = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._write(message)
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str, session: str | None = None, after: int = 0) -> dict:
        """The first event ``method`` (of ``session``) at or after index ``after`` of :attr:`events`."""
        deadline = time.monotonic() + self.timeout
        seen = after
        while True:
            for event in self.events[seen:]:
                if event["method"] == method and (session is None or event.get("sessionId") == session):
                    return event
            seen = len(self.events)
            reply = self._read(deadline)
            if "method" in reply:
                self.events.append(reply)

    def open(self, url: str, width: int = 1280, height: int = 900, mobile: bool = False) -> Tab:
        """A new tab ``width`` x ``height`` CSS px wide (``mobile``: a phone's viewport), every
        request it makes recorded, loaded with ``url`` (returns once its load event fired)."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        tab = Tab(self, session)
        for domain in ("Page", "Network", "Runtime"):
            tab.send(f"{domain}.enable")
        tab.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )
        tab.navigate(url)
        return tab


class Tab:
    """One page in :class:`Chromium`, attached by its session."""

    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser = browser
        self.session = session

    def send(self, method: str, params: dict | None = None) -> dict:
        """A DevTools command in this tab."""
        return self.browser.send(method, params, self.session)

    def navigate(self, url: str) -> None:
        """Load ``url`` and wait for its load event."""
        mark = len(self.browser.events)
        reply = self.send("Page.navigate", {"url": url})
        if reply.get("errorText"):
            raise BrowserError(f"{url}: {reply['errorText']}")
        self.browser.wait_for("Page.loadEventFired", self.session, after=mark)

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (promises awaited; JSON values)."""
        reply = self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}
        )
        if "exceptionDetails" in reply:
            detail = reply["exceptionDetails"]
            raise BrowserError(detail.get("exception", {}).get("description") or detail.get("text"))
        return reply["result"].get("value")

    def press(self, key: str, code: str, key_code: int, times: int = 1, shift: bool = False) -> None:
        """Press and release a key ``times`` times, as a keyboard does (focus moves, sliders step)."""
        mods = 8 if shift else 0
        for _ in range(times):
            for kind in ("rawKeyDown", "keyUp"):
                self.send(
                    "Input.dispatchKeyEvent",
                    {
                        "type": kind,
                        "key": key,
                        "code": code,
                        "windowsVirtualKeyCode": key_code,
                        "modifiers": mods,
                    },
                )

    def requests(self) -> list[str]:
        """Every URL this tab asked for, in order (the page itself included)."""
        return [
            e["params"]["request"]["url"]
            for e in self.browser.events
            if e["method"] == "Network.requestWillBeSent" and e.get("sessionId") == self.session
        ]

    def screenshot(self, path: Path, full_page: bool = True) -> Path:
        """A PNG of the page (``full_page``: all of it, not only the window) at ``path``."""
        reply = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": full_page})
        path.write_bytes(base64.b64decode(reply["data"]))
        return path

    def pdf(self, path: Path, width: float = 8.5, height: float = 11.0) -> Path:
        """The page as chromium prints it (its print stylesheet), on ``width`` x ``height`` inch
        paper, as a PDF at ``path``."""
        reply = self.send("Page.printToPDF", {"paperWidth": width, "paperHeight": height})
        path.write_bytes(base64.b64decode(reply["data"]))
        return path
