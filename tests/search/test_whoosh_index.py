"""The Whoosh index on disk: built when missing, rebuilt when damaged, written by several processes."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from whoosh import index

from civic.extensions import db
from civic.search.whoosh_engine import INDEX_DIR, INDEX_NAME
from tests.search.helpers import results


@pytest.fixture
def index_dir(app, engine_name) -> Path:
    if engine_name != "whoosh":
        pytest.skip("Whoosh only (the PostgreSQL index lives in the database)")
    return Path(app.instance_path) / INDEX_DIR


@pytest.fixture
def fontanella(people, anna, torino, new_need):
    return new_need(anna, torino, title="Fontanella rotta in piazza Foroni", body="Non funziona da mesi.")


def test_a_missing_index_is_built_at_the_first_search(client, index_dir, fontanella):
    assert not index_dir.exists()  # nothing written before the first search
    assert results(client, q="fontanella")[1] == [fontanella.title]
    assert index.exists_in(str(index_dir), indexname=INDEX_NAME)
    shutil.rmtree(index_dir)
    assert results(client, q="fontanella")[1] == [fontanella.title]


def test_a_damaged_index_is_rebuilt(client, index_dir, fontanella):
    results(client, q="fontanella")
    for path in index_dir.iterdir():
        path.write_bytes(b"\x00garbage" * 10)
    status, titles, _html = results(client, q="fontanella")
    assert status == 200 and titles == [fontanella.title]


def test_changes_after_the_index_exists_are_applied_after_commit(client, index_dir, fontanella, anna, torino,
                                                                  new_need):
    results(client, q="fontanella")
    second = new_need(anna, torino, title="Seconda fontanella senza acqua", body="Anche questa.")
    assert set(results(client, q="fontanella")[1]) == {fontanella.title, second.title}
    db.session.rollback()


def test_a_locked_index_delays_the_write_without_losing_it(client, index_dir, fontanella, anna, torino, new_need):
    results(client, q="fontanella")
    # Another process holds the writer's lock, as a second gunicorn worker would.
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from whoosh import index\n"
        f"ix = index.open_dir({str(index_dir)!r}, indexname={INDEX_NAME!r})\n"
        "w = ix.writer()\n"
        "print('locked', flush=True)\n"
        "time.sleep(1.5)\n"
        "w.cancel()\n")], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    made = new_need(anna, torino, title="Fontanella nuova durante il blocco", body="Scritta mentre era bloccato.")
    holder.wait(timeout=10)
    deadline = time.time() + 10
    while time.time() < deadline and made.title not in results(client, q="blocco")[1]:
        time.sleep(0.2)
    assert results(client, q="blocco")[1] == [made.title]
