"""The signals that join the domains (civic/core/signals.py): each is documented and received once the
app is built, and the reactions do not depend on what a script happens to import."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from civic.core import signals

ROOT = Path(__file__).resolve().parents[2]


def test_every_signal_is_documented_and_received(app):
    assert signals.ALL, "no signal declared"
    for name, signal in signals.ALL.items():
        doc = (signal.__doc__ or "").strip()
        assert "Sent by" in doc and "Received by" in doc, f"{name}: its docstring says when it is sent and to whom"
        assert signal.receivers, f"{name}: nothing receives it once the app is built"


def test_building_the_app_twice_connects_each_receiver_once(app):
    from civic import create_app, wiring

    before = {name: len(signal.receivers) for name, signal in signals.ALL.items()}
    create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": app.instance_path,
                "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    wiring.connect_signals()
    assert {name: len(signal.receivers) for name, signal in signals.ALL.items()} == before


def test_receivers_run_in_the_order_they_were_connected():
    signal = signals.Signal("test-order")
    heard = []

    def receivers():
        for n in range(20):
            yield lambda sender, n=n, **_: heard.append(n)

    kept = list(receivers())  # strong references: blinker keeps weak ones
    for receiver in kept:
        signal.connect(receiver)
    signal.send(None)
    assert heard == list(range(20))


SCRIPT = textwrap.dedent("""
    import sys

    from sqlalchemy import text

    from civic import create_app
    from civic.accounts import services as accounts
    from civic.accounts.models import Role
    from civic.extensions import db
    from civic.posts import lifecycle
    from civic.posts.models import Idea, PostStatus
    from civic.territories.models import City, Theme

    PASSWORD = "cavallo batteria graffetta"
    app = create_app({"SECRET_KEY": "x", "INSTANCE_PATH": sys.argv[1],
                      "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1] + "/script.sqlite3",
                      "PASSWORD_HASH_METHOD": "scrypt:1024:8:1", "LOG_LEVEL": "WARNING"})
    with app.app_context():
        db.create_all()
        city = City(slug="torino", name="Torino", region="Piemonte", role="metropolitan")
        theme = Theme(slug="casa", name_it="Casa", name_en="Housing")
        db.session.add_all([city, theme])
        db.session.flush()
        author = accounts.register_user(email="anna@example.it", display_name="Anna", password=PASSWORD,
                                        role=Role.RESIDENT, confirmed=True)
        moderator = accounts.register_user(email="mod@example.it", display_name="Moderatrice",
                                           password=PASSWORD, role=Role.MODERATOR, confirmed=True)
        accounts.grant_moderation(moderator, [city])
        idea = Idea(author=author, city=city, theme=theme, title="Agenzia sociale per la casa", slug="agenzia",
                    body_markdown="Un servizio.", body_html="<p>Un servizio.</p>", summary="Un servizio",
                    beneficiaries="Chi cerca casa", status=PostStatus.IN_STARTUP.value)
        db.session.add(idea)
        db.session.commit()
        lifecycle.perform(moderator, idea, "fund", "Finanziata dal programma.")
        db.session.commit()
        print(db.session.scalar(text("SELECT count(*) FROM funded_project WHERE idea_id = :id"), {"id": idea.id}))
""")


def test_a_script_that_funds_an_idea_creates_its_project(tmp_path):
    """A script builds the app and makes the move; it imports nothing of co-design, start-up support
    or funded projects, and still gets the project (the receiver is connected by the app factory)."""
    script = tmp_path / "fund.py"
    script.write_text(SCRIPT)
    done = subprocess.run([sys.executable, str(script), str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "1"
