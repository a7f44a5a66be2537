#!/usr/bin/env python3
"""Headless Chromium (Debian's ``chromium`` package), driven through the DevTools protocol.

Usage (as root, the package is installed on first use)::

    python3 tools/browser/chromium.py install              # apt-get install chromium if missing
    python3 tools/browser/chromium.py screenshot URL OUT.png [--width 1400 --height 900]

From Python (tests load this file with importlib; it is not part of the srma package)::

    with Chromium(ensure_chromium()) as browser:
        page = browser.new_page()
        page.navigate("file:///tmp/report.html")
        page.wait_for("document.querySelector('img') !== null")
        page.screenshot("shot.png")
        assert not page.errors()

The browser talks the DevTools protocol over a pair of pipes (``--remote-debugging-pipe``:
Chromium reads commands from its fd 3 and writes answers and events to its fd 4, each message a
JSON text followed by a NUL byte), so no port is opened and no WebSocket library is needed: only
the standard library is used, and this runs with the system ``python3`` of a bare CI machine.

Chromium is started with ``--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
--disable-background-networking --disable-component-update --disable-sync`` and a throw-away
``--user-data-dir``; it is stopped by its own PID (terminate, then kill after a grace period).
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

#: Where Debian's package puts the browser, then the names looked up on PATH.
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
PACKAGE = "chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
)
#: Seconds to wait for one DevTools answer.
COMMAND_TIMEOUT = 60.0
#: apt-get waits this long (seconds) for another apt/dpkg run to release its lock.
APT_LOCK_TIMEOUT = 600


class BrowserError(RuntimeError):
    """Chromium cannot be found, installed, started, or did not answer."""


class BrowserUnavailable(BrowserError):
    """Chromium is missing and cannot be installed here (not root)."""


def find_chromium() -> str | None:
    """The path of an installed Chromium, or None."""
    for name in CANDIDATES:
        path = name if os.path.isabs(name) else shutil.which(name)
        if path and os.access(path, os.X_OK):
            return path
    return None


def ensure_chromium(install: bool = True, verbose: bool = True) -> str:
    """The path of Chromium, installing Debian's package with apt-get first when missing.

    Raises
    ------
    BrowserUnavailable
        Chromium is missing and this process is not root (or ``install`` is false).
    BrowserError
        apt-get failed.
    """
    found = find_chromium()
    if found:
        return found
    if not install or os.geteuid() != 0:
        raise BrowserUnavailable(
            f"{PACKAGE} is not installed and this process is not root: run "
            f"`apt-get update && apt-get install -y {PACKAGE}` as root "
            "(or `python3 tools/browser/chromium.py install`)"
        )
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    lock = ["-o", f"DPkg::Lock::Timeout={APT_LOCK_TIMEOUT}"]
    for cmd in (
        ["apt-get", *lock, "update", "-qq"],
        ["apt-get", *lock, "install", "-y", "-qq", PACKAGE],
    ):
        if verbose:
            print("+", " ".join(cmd), file=sys.stderr, flush=True)
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BrowserError(
                f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )
    found = find_chromium()
    if not found:
        raise BrowserError(f"installed {PACKAGE} but found none of {', '.join(CANDIDATES)}")
    return found


def _high_fd(fd: int) -> int:
    """A copy of ``fd`` numbered 10 or more (so the child's dup2 onto 3 and 4 cannot clash)."""
    new = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return new


class Chromium:
    """A headless Chromium process and its DevTools pipe; use as a context manager.

    Parameters
    ----------
    executable
        Path of the browser (see :func:`ensure_chromium`).
    width, height
        Size of the window, in CSS pixels.
    extra_flags
        More command-line flags.
    """

    def __init__(
        self,
        executable: str | None = None,
        *,
        width: int = 1400,
        height: int = 900,
        extra_flags: Sequence[str] = (),
    ) -> None:
        self.executable = executable or ensure_chromium()
        self.width = width
        self.height = height
        self.extra_flags = tuple(extra_flags)
        self.proc: subprocess.Popen[bytes] | None = None
        self._profile: tempfile.TemporaryDirectory[str] | None = None
        self._to_browser: int | None = None
        self._from_browser: int | None = None
        self._next_id = 0
        self._lock = threading.Lock()
        self._waiting: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._listeners: dict[str, Callable[[dict[str, Any]], None]] = {}
        self._reader: threading.Thread | None = None
        self.stderr_path: Path | None = None

    # -- process -----------------------------------------------------------------------------

    def start(self) -> Chromium:
        self._profile = tempfile.TemporaryDirectory(prefix="srma-chromium-")
        profile = Path(self._profile.name)
        self.stderr_path = profile / "chromium.stderr"
        cmd_r, cmd_w = (_high_fd(fd) for fd in os.pipe())
        out_r, out_w = (_high_fd(fd) for fd in os.pipe())

        def child() -> None:  # runs in the child between fork and exec
            os.dup2(cmd_r, 3)
            os.dup2(out_w, 4)

        argv = [
            self.executable,
            *FLAGS,
            f"--user-data-dir={profile / 'user-data'}",
            f"--window-size={self.width},{self.height}",
            *self.extra_flags,
            "about:blank",
        ]
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(  # noqa: S603 - fixed argv
                argv,
                stdin=subprocess.DEVNULL,
                stdout=err,
                stderr=err,
                pass_fds=(3, 4),
                preexec_fn=child,  # noqa: PLW1509 - only dup2, no Python state touched
                start_new_session=True,
            )
        os.close(cmd_r)
        os.close(out_w)
        self._to_browser, self._from_browser = cmd_w, out_r
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        self.send("Target.setDiscoverTargets", {"discover": False})
        return self

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.send("Browser.close", timeout=5)
            except BrowserError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._to_browser = self._from_browser = None
        if self._profile is not None:
            self._profile.cleanup()
            self._profile = None

    def __enter__(self) -> Chromium:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def version(self) -> str:
        return str(self.send("Browser.getVersion")["product"])

    # -- protocol ----------------------------------------------------------------------------

    def _read_loop(self) -> None:
        buffer = b""
        assert self._from_browser is not None
        fd = self._from_browser
        while True:
            try:
                chunk = os.read(fd, 1 << 20)
            except OSError:
                break
            if not chunk:
                break
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                self._dispatch(json.loads(raw))
        for waiting in list(self._waiting.values()):
            waiting.put({"error": {"message": "browser closed the DevTools pipe"}})

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "id" in message:
            waiting = self._waiting.get(message["id"])
            if waiting is not None:
                waiting.put(message)
            return
        listener = self._listeners.get(message.get("sessionId", ""))
        if listener is not None:
            listener(message)

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session_id: str | None = None,
        timeout: float = COMMAND_TIMEOUT,
    ) -> dict[str, Any]:
        """Send one DevTools command and return its ``result``."""
        if self._to_browser is None:
            raise BrowserError("the browser is not running")
        with self._lock:
            self._next_id += 1
            ident = self._next_id
            answer: queue.Queue[dict[str, Any]] = queue.Queue()
            self._waiting[ident] = answer
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session_id:
            message["sessionId"] = session_id
        try:
            os.write(self._to_browser, json.dumps(message).encode() + b"\0")
            try:
                reply = answer.get(timeout=timeout)
            except queue.Empty:
                raise BrowserError(f"{method}: no answer in {timeout:.0f} s") from None
        finally:
            self._waiting.pop(ident, None)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error'].get('message', reply['error'])}")
        return dict(reply.get("result", {}))

    def new_page(self) -> Page:
        """A new tab, attached, with the Page, Runtime and Log domains enabled."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, target, session)
        self._listeners[session] = page._on_event
        for domain in ("Page", "Runtime", "Log"):
            page.send(f"{domain}.enable")
        page.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
        )
        return page


class Page:
    """One tab: navigate, evaluate JavaScript, wait, take screenshots, collect errors."""

    def __init__(self, browser: Chromium, target_id: str, session_id: str) -> None:
        self.browser = browser
        self.target_id = target_id
        self.session_id = session_id
        #: Every event of this tab, in order (method and params).
        self.events: list[dict[str, Any]] = []
        self._loaded = threading.Event()

    def send(self, method: str, params: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        return self.browser.send(method, params, session_id=self.session_id, **kw)

    def _on_event(self, message: dict[str, Any]) -> None:
        self.events.append({"method": message["method"], "params": message.get("params", {})})
        if message["method"] == "Page.loadEventFired":
            self._loaded.set()
        elif message["method"] == "Page.javascriptDialogOpening":
            # An alert() would block the page: dismiss it (errors() still reports it).
            threading.Thread(
                target=self.send,
                args=("Page.handleJavaScriptDialog", {"accept": False}),
                daemon=True,
            ).start()

    def navigate(self, url: str, timeout: float = COMMAND_TIMEOUT) -> None:
        """Open ``url`` and wait for its load event."""
        self._loaded.clear()
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise BrowserError(f"cannot open {url}: {result['errorText']}")
        if not self._loaded.wait(timeout):
            raise BrowserError(f"{url}: no load event in {timeout:.0f} s")

    def evaluate(self, expression: str, *, await_promise: bool = True) -> Any:
        """The value of a JavaScript expression (a Promise is awaited); JS errors raise."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": await_promise},
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"JavaScript error: {text}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 10.0, interval: float = 0.05) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out after {timeout:.0f} s waiting for: {expression}")
            time.sleep(interval)

    def screenshot(self, path: str | os.PathLike[str], *, full_page: bool = False) -> Path:
        """Write a PNG of the viewport (or of the whole page) to ``path``."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            metrics = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {
                "x": 0,
                "y": 0,
                "width": metrics["width"],
                "height": metrics["height"],
                "scale": 1,
            }
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params)["data"]
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(base64.b64decode(data))
        return out

    def errors(self) -> list[str]:
        """What went wrong in this tab: console errors and assertions, uncaught exceptions,
        browser log errors (failed loads, CSP violations...) and JavaScript dialogs."""
        found = []
        for event in self.events:
            method, params = event["method"], event["params"]
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                args = params.get("args", [])
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in args)
                found.append(f"console.{params['type']}: {text}")
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                text = details.get("exception", {}).get("description") or details.get("text")
                found.append(f"uncaught exception: {text}")
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                entry = params["entry"]
                found.append(
                    f"log {entry.get('source')}: {entry.get('text')} {entry.get('url', '')}"
                )
            elif method == "Page.javascriptDialogOpening":
                found.append(f"dialog {params.get('type')}: {params.get('message')}")
        return found


def _main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="apt-get install chromium when missing (root)")
    shot = sub.add_parser("screenshot", help="open a URL or file and save a PNG of it")
    shot.add_argument("url")
    shot.add_argument("out")
    shot.add_argument("--width", type=int, default=1400)
    shot.add_argument("--height", type=int, default=900)
    shot.add_argument("--full-page", action="store_true")
    args = parser.parse_args(argv)
    try:
        executable = ensure_chromium()
        if args.command == "install":
            print(executable)
            return 0
        url = args.url
        if "://" not in url:
            url = Path(url).resolve().as_uri()
        with Chromium(executable, width=args.width, height=args.height) as browser:
            page = browser.new_page()
            page.navigate(url)
            time.sleep(0.5)
            page.screenshot(args.out, full_page=args.full_page)
            for problem in page.errors():
                print(problem, file=sys.stderr)
        print(args.out)
        return 0
    except BrowserError as err:
        print(f"chromium.py: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(_main())
