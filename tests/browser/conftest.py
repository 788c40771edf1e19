"""Browser tests: the real app under gunicorn, driven by Debian's headless Chromium.

One gunicorn server for the whole run, on its own temporary instance folder
(SQLite database migrated, reference data and demo content loaded with the CLI),
with the rate limits left on and its emails sent to a local SMTP server (aiosmtpd;
`live_server.mailbox`, delivered by `live_server.run_cli("notifications", "send")`). Each test gets a fresh browser context (cookies,
storage) and a page in Italian locale.

Rate limits the suite stays under: login is LOGIN_LIMIT POSTs per minute per IP
address (the `log_in` fixture waits rather than go over), and sign-up counts
successful registrations only, 5 per hour (the suite makes 1).
"""
from __future__ import annotations

import os
import random
import re
import secrets
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = PROJECT_ROOT / ".venv" / "bin"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() == "true"
STARTUP_TIMEOUT = 30.0
LOCALE = "it-IT"

DEMO_PASSWORD = "partecipa-2026"
DEMO_TOTP_SECRET = "CIVICDEMOPARTECIPACITTAINCLUSIVE"  # the demo staff's second factor (civic/demo/content.py)
DEMO_ADMIN = "admin@example.it"
DEMO_MODERATOR = "moderatore.torino@example.it"
DEMO_RESIDENT = "anna.rossi@example.it"

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LOGIN_LIMIT = 40         # CIVIC_RATELIMIT_LOGIN given to the live server, per minute and IP address
LOGIN_WINDOW = 61.0      # seconds, with a second of margin


def _missing(message: str) -> None:
    """Skip on a developer's machine; in CI a missing prerequisite is a failure."""
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


# --- the server -----------------------------------------------------------------------------------

def _free_port() -> int:
    """A port in 20000-32000 nobody is listening on (ports below 32768 avoid the ephemeral range)."""
    for _ in range(50):
        port = random.randint(20000, 32000)  # noqa: S311 - not security relevant
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free local port found in 20000-32000")


def _run_cli(env: dict, *args: str) -> None:
    command = [str(VENV_BIN / "flask"), "--app", "wsgi", *args]
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        pytest.fail(
            f"`flask --app wsgi {' '.join(args)}` failed ({result.returncode}):\n{result.stdout}\n{result.stderr}",
            pytrace=False,
        )


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310 - local URL
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass
class Mailbox:
    """What the live server's SMTP server (aiosmtpd, started for the session) accepted: (recipients, raw bytes)."""

    received: list[tuple[list[str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        import email
        import email.policy

        with self.lock:
            return [email.message_from_bytes(raw, policy=email.policy.default)
                    for recipients, raw in self.received if address in recipients]


def _start_smtp(env: dict):
    """An SMTP server for the live server's emails, when aiosmtpd is installed (else emails go to the log)."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError:  # pragma: no cover - depends on the environment
        return None, None
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    env.update({"CIVIC_SMTP_HOST": "127.0.0.1", "CIVIC_SMTP_PORT": str(controller.port),
                "CIVIC_SMTP_SECURITY": "none", "CIVIC_SMTP_TIMEOUT": "5"})
    return controller, mailbox


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    log_dir: Path
    env: dict = field(default_factory=dict)  # the environment of the server and of its CLI commands
    mailbox: Mailbox | None = None  # None without aiosmtpd

    def stderr(self) -> str:
        path = self.log_dir / "gunicorn.stderr"
        return path.read_text(errors="replace") if path.exists() else ""

    def run_cli(self, *args: str) -> None:
        """`flask --app wsgi ...` on the live server's database (e.g. `notifications send`)."""
        _run_cli(self.env, *args)


def _start_gunicorn(env: dict, log_dir: Path) -> LiveServer:
    """Start gunicorn on a free port; on a port collision, try another one."""
    last_error = ""
    for _attempt in range(3):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        stdout = open(log_dir / "gunicorn.stdout", "wb")  # noqa: SIM115 - closed below / at teardown
        stderr = open(log_dir / "gunicorn.stderr", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=PROJECT_ROOT, env=env, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
        )
        stdout.close()
        stderr.close()
        server = LiveServer(url=url, process=process, log_dir=log_dir)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            if _healthy(url):
                return server
            time.sleep(0.2)
        _stop(process)
        last_error = server.stderr()
        if "Address already in use" not in last_error:
            break
    pytest.fail(
        f"gunicorn did not answer 200 on /healthz within {STARTUP_TIMEOUT:.0f} s. Its stderr:\n{last_error}",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The real app (gunicorn, 2 workers) on a migrated SQLite database with reference and demo data."""
    for tool in ("gunicorn", "flask"):
        if not (VENV_BIN / tool).exists():
            _missing(f"{VENV_BIN / tool} is missing: run `make setup` and install requirements")
    if not (PROJECT_ROOT / "static" / "vendor" / "bootstrap-italia" / "css").is_dir():
        _missing("static/vendor/ is missing: run `make setup` first")

    instance = tmp_path_factory.mktemp("browser-instance")
    log_dir = tmp_path_factory.mktemp("browser-logs")
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith("CIVIC_") and key not in {"FLASK_APP", "FLASK_DEBUG"}
    }
    env.update({
        "CIVIC_INSTANCE_PATH": str(instance),
        "CIVIC_SECRET_KEY": secrets.token_urlsafe(32),
        "CIVIC_LOG_LEVEL": "WARNING",
        # Limits stay on; logins get a larger budget than production's 5 per minute so that
        # the suite can log in as many roles as it needs (the limit itself is tested in tests/accounts).
        "CIVIC_RATELIMIT_LOGIN": f"{LOGIN_LIMIT} per minute",
        "PYTHONUNBUFFERED": "1",
    })
    smtp, mailbox = _start_smtp(env)
    _run_cli(env, "db", "upgrade")
    _run_cli(env, "territories", "load")
    _run_cli(env, "demo", "load")

    server = _start_gunicorn(env, log_dir)
    server.env, server.mailbox = env, mailbox
    try:
        yield server
    finally:
        _stop(server.process)
        if smtp is not None:
            smtp.stop()


# --- the browser ----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright_instance():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the environment
        _missing("playwright is not installed in the virtualenv (pip install -r requirements-dev.txt)")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: apt-get install -y chromium")
    browser = playwright_instance.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """A factory of fresh browser contexts on the live server, closed at the end of the test."""
    contexts = []

    def make(**options):
        options.setdefault("locale", LOCALE)
        options.setdefault("base_url", live_server.url)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a new context (no cookies from other tests), Italian browser locale."""
    return new_context().new_page()


# --- helpers (as fixtures, so test modules need no imports from here) -------------------------------

def _format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) (WCAG 2.1 A/AA) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} [impact: {violation.get('impact')}] {violation['help']}"
                     f" <{violation.get('helpUrl', '')}>")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    at {target}: {summary}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe_check():
    """`axe_check(page)`: run axe-core on the page (WCAG 2.0/2.1 A and AA rules), require no violations.

    axe-playwright-python injects axe with page.evaluate(), which the site's CSP
    (script-src 'self') does not block: no bypass_csp is needed.
    """
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:  # pragma: no cover - depends on the environment
        _missing("axe-playwright-python is not installed in the virtualenv")
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

    def check(page) -> None:
        results = axe.run(page, options=options)
        violations = results.response["violations"]
        if violations:
            raise AssertionError(_format_violations(page.url, violations))

    return check


@pytest.fixture(scope="session")
def visit():
    """`visit(page, path, status=200)`: open a path of the live server and check the HTTP status."""

    def go(page, path: str, status: int = 200):
        response = page.goto(path)
        assert response is not None, f"no response for {path}"
        assert response.status == status, f"GET {path}: expected {status}, got {response.status}"
        return response

    return go




@pytest.fixture(scope="session")
def log_in(visit):
    """`log_in(page, email, password)`: log in through the form; returns the response to the POST.

    Every call is one POST to /account/login, which the live server limits to
    LOGIN_LIMIT per minute per IP address: the whole run shares that budget. Should the suite ever need
    more, this waits until the oldest login leaves the window instead of getting 429.
    """
    recent: deque[float] = deque()

    def submit(page, email: str, password: str = DEMO_PASSWORD):
        visit(page, "/account/login")
        page.fill("#email", email)
        page.fill("#password", password)
        now = time.monotonic()
        while recent and now - recent[0] > LOGIN_WINDOW:
            recent.popleft()
        if len(recent) >= LOGIN_LIMIT:
            time.sleep(LOGIN_WINDOW - (now - recent[0]))
            recent.popleft()
        recent.append(time.monotonic())
        with page.expect_response(lambda r: r.request.method == "POST" and "/account/login" in r.url) as posted:
            page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        if "/account/login/verify" in page.url:
            enter_code(page, email)
        return posted.value

    # The demo's moderators and administrator give a code after the password; the server accepts each
    # 30-second step's code once per account, so a second login of the same account uses the next step's.
    last_step: dict[str, int] = {}

    def enter_code(page, email: str) -> None:
        import pyotp

        now = int(time.time()) // 30
        step = max(now, last_step.get(email, now - 1) + 1)
        if step > now + 1:  # the server accepts one step ahead at most: wait for the clock
            time.sleep((step - 1) * 30 - time.time() + 0.5)
        last_step[email] = step
        page.fill("#code", pyotp.TOTP(DEMO_TOTP_SECRET).at(step * 30))
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()

    return submit


_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.IGNORECASE | re.DOTALL)
_NOSCRIPT_TAG = re.compile(r"</?noscript\s*>", re.IGNORECASE)


@pytest.fixture
def axe_check_without_js(new_context, axe_check):
    """`axe_check_without_js(page)`: axe on the page as a browser without JavaScript renders it.

    axe-core is JavaScript and cannot run in a context with java_script_enabled=False
    (Chromium runs neither timers nor promise callbacks there, so axe.run() never
    settles). So the same URL is opened, with the same cookies and viewport, in a
    context with JavaScript on, where every HTML page is served as the no-JS browser
    sees it: <script> elements removed and the <noscript> content made active (its
    stylesheet applies); script files are not loaded either.
    """

    def as_without_js(route):
        request = route.request
        if request.resource_type == "script":
            route.abort()
            return
        if request.resource_type != "document":
            route.continue_()
            return
        response = route.fetch()
        body = _NOSCRIPT_TAG.sub("", _SCRIPT.sub("", response.text()))
        route.fulfill(response=response, body=body)

    def check(nojs_page) -> None:
        context = new_context(storage_state=nojs_page.context.storage_state(), viewport=nojs_page.viewport_size)
        context.route("**/*", as_without_js)
        page = context.new_page()
        page.goto(nojs_page.url)
        assert page.evaluate("document.scripts.length") == 0
        assert page.locator("link[rel=stylesheet][href*='noscript.css']").count() == 1
        axe_check(page)
        page.close()

    return check
