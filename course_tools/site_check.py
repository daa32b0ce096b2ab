"""``make test-site``: open the built website in headless Chromium, as a visitor would.

    python -m course_tools.site_check [--site build/site] [--shots build/site-shots]

Serves ``build/site/`` on a local port, opens the home page and notebook 4's page in a fresh
headless Chromium (no sync, no updates, no background traffic), and fails on a JavaScript error,
a console error, a page that failed to load from the site itself, or a blank page. A screenshot
of each page lands in ``build/site-shots/``. Resources from other hosts (MathJax comes from a
CDN) that can't load because the machine is offline are listed, not counted as failures.

Talks to Chromium over its DevTools protocol with ``websocket-client`` (in the lock, for
Jupyter). The browser: ``$CHROMIUM``, else the first of chromium, chromium-browser,
google-chrome on the PATH (GitHub's Ubuntu runners have Google Chrome).
"""

from __future__ import annotations

import argparse
import base64
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "build" / "site"
SHOTS = ROOT / "build" / "site-shots"
PAGES = {"home": "index.html", "notebook-4": "notebooks/04_deep_networks_keras.html"}
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--no-default-browser-check", "--hide-scrollbars", "--remote-debugging-port=0",
         "--remote-allow-origins=*")
WIDTH, HEIGHT = 1280, 900
#: How long a page may take to load, and how long to let its scripts run after the load event.
LOAD_TIMEOUT, SETTLE = 60.0, 2.0


class SiteCheckError(Exception):
    """The check could not run (no browser, no site); the message says how to fix it."""


@dataclass
class Visit:
    """What one page did in the browser."""

    url: str
    errors: list[str] = field(default_factory=list)
    offline: list[str] = field(default_factory=list)  # other hosts that could not be reached
    text_length: int = 0
    screenshot: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.text_length > 200


def find_browser() -> str:
    for name in filter(None, (os.environ.get("CHROMIUM"), *BROWSERS)):
        found = shutil.which(name)
        if found:
            return found
    raise SiteCheckError("no Chromium found: install it (Debian, Ubuntu: 'sudo apt-get install "
                         "chromium') or set CHROMIUM=/path/to/chrome")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the check's output to its findings
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


class Browser:
    """A fresh headless Chromium with its own profile, driven over the DevTools protocol."""

    def __init__(self, executable: str):
        import websocket

        self.profile = tempfile.mkdtemp(prefix="site-check-profile-")
        self.process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self.profile}",
             f"--window-size={WIDTH},{HEIGHT}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise SiteCheckError(f"{executable} did not start in headless mode")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
            targets = [t for t in json.load(answer) if t["type"] == "page"]
        self.socket = websocket.create_connection(targets[0]["webSocketDebuggerUrl"],
                                                  timeout=LOAD_TIMEOUT, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, **params) -> dict:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise SiteCheckError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not any(event.get("method") == method for event in self.events):
            self.socket.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                self.events.append(json.loads(self.socket.recv()))
            except Exception:
                if time.monotonic() >= deadline:
                    raise SiteCheckError(
                        f"the page did not finish loading in {timeout:.0f} s") from None

    def drain(self, seconds: float) -> None:
        """Collect events while the page's scripts run."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.socket.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                self.events.append(json.loads(self.socket.recv()))
            except Exception:
                pass

    def close(self) -> None:
        if getattr(self, "socket", None):
            self.socket.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def classify(events: list[dict], base: str) -> tuple[list[str], list[str]]:
    """(errors, other hosts not reached) among the DevTools ``events`` of one page."""
    errors, offline = [], []
    failed_requests = {}
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Network.requestWillBeSent":
            failed_requests[params["requestId"]] = params["request"]["url"]
        elif method == "Network.loadingFailed":
            url = failed_requests.get(params["requestId"], "?")
            (offline if not url.startswith(base) else errors).append(
                f"{url}: {params.get('errorText', 'failed')}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            errors.append(f"JavaScript error: {text}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            errors.append("console.error: " + " ".join(
                str(arg.get("value", arg.get("description", ""))) for arg in params["args"]))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            if entry.get("source") == "network":
                continue  # the same failure as Network.loadingFailed, which has the URL
            errors.append(f"console: {entry.get('text')}")
    return errors, sorted(set(offline))


def visit(browser: Browser, url: str, base: str, shot: Path) -> Visit:
    browser.events = []
    browser.send("Page.navigate", url=url)
    browser.wait_for("Page.loadEventFired", LOAD_TIMEOUT)
    browser.drain(SETTLE)
    length = browser.send("Runtime.evaluate", expression="document.body.innerText.trim().length",
                          returnByValue=True)["result"].get("value", 0)
    image = browser.send("Page.captureScreenshot", format="png")["data"]
    shot.parent.mkdir(parents=True, exist_ok=True)
    shot.write_bytes(base64.b64decode(image))
    errors, offline = classify(browser.events, base)
    return Visit(url, errors, offline, length, shot)


def check(site: Path = SITE, shots: Path = SHOTS, pages: dict[str, str] = PAGES) -> list[Visit]:
    if not (site / "index.html").exists():
        raise SiteCheckError(f"{site} has no index.html: run 'make site' first")
    server, base = serve(site)
    browser = Browser(find_browser())
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(f"{domain}.enable")
        browser.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT,
                     deviceScaleFactor=1, mobile=False)
        return [visit(browser, base + path, base, shots / f"{name}.png")
                for name, path in pages.items()]
    finally:
        browser.close()
        server.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.site_check",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=SITE)
    parser.add_argument("--shots", type=Path, default=SHOTS)
    args = parser.parse_args(argv)
    try:
        visits = check(args.site.resolve(), args.shots.resolve())
    except SiteCheckError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 1
    for v in visits:
        print(f"{'OK  ' if v.ok else 'FAIL'} {v.url}: {v.text_length} characters of text, "
              f"screenshot {v.screenshot}")
        for error in v.errors:
            print(f"     error: {error}")
        if v.text_length <= 200:
            print("     error: the page is blank")
        for url in v.offline:
            print(f"     not loaded (another host, offline?): {url}")
    return 0 if all(v.ok for v in visits) else 1


if __name__ == "__main__":
    sys.exit(main())
