"""My data: a person downloads everything the platform holds about them, and only they can."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.privacy import export
from civic.privacy.models import DataExport
from tests.posts.helpers import english


def _download(client, export_id):
    return client.get(f"/account/data/{export_id}")


def test_a_person_downloads_everything_about_them(client, anna, anna_active):
    need, idea = anna_active
    client.login(anna.email)
    page = client.get("/account/data")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "I tuoi voti alle idee e i tuoi sostegni ai bisogni" in html  # the contents are listed before asking
    response = client.submit("/account/data")
    assert response.status_code == 302
    made = db.session.scalars(select(DataExport).where(DataExport.user_id == anna.id)).one()
    assert made.status == "ready" and made.expires_at > utcnow() + timedelta(days=6)
    assert f'href="/account/data/{made.id}"' in client.get("/account/data").get_data(as_text=True)

    download = _download(client, made.id)
    assert download.status_code == 200
    assert download.mimetype == "application/json"
    assert "attachment" in download.headers["Content-Disposition"]
    assert "no-store" in download.headers["Cache-Control"]
    data = json.loads(download.get_data())
    assert data["account"]["email"] == "anna@example.it"
    assert data["account"]["display_name"] == "Anna Rossi"
    assert [p["title"] for p in data["posts"]] == ["Panchine rotte ai giardini"]
    assert [c["text"] for c in data["comments"]] == ["Mi piace molto, posso aiutare il sabato."]
    assert data["votes"] == [{"post_id": idea.id, "kind": "vote", "post_title": "Un orto condiviso in cortile",
                              "created_at": data["votes"][0]["created_at"]}]
    assert {"kind": "idea", "id": idea.id} in [{"kind": f["kind"], "id": f["id"]} for f in data["follows"]]
    assert any(n["about"] == {"kind": "need", "id": need.id} for n in data["notifications"])
    assert set(export.SECTIONS) <= set(data)
    # Nobody else's data: Bruno's comment and email are not in Anna's file.
    assert "bruno@example.it" not in download.get_data(as_text=True)
    assert "Le segnalo al Comune" not in download.get_data(as_text=True)
    assert db.session.get(DataExport, made.id).downloads == 1


def test_only_the_owner_logged_in_can_download(client, anna, bruno, anna_active):
    export_id = export.request_export(anna).id
    export.prepare(db.session.get(DataExport, export_id))
    db.session.commit()

    anonymous = _download(client, export_id)
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]
    client.login(bruno.email)
    english(client)
    other = _download(client, export_id)
    assert other.status_code == 404
    assert "anna@example.it" not in other.get_data(as_text=True)
    assert "There is no such copy of your data." in other.get_data(as_text=True)
    assert f"/account/data/{export_id}" not in client.get("/account/data").get_data(as_text=True)


def test_an_expired_copy_is_gone_and_erased(client, anna, anna_active):
    made = export.request_export(anna)
    export.prepare(made, now=utcnow() - timedelta(days=8))
    db.session.commit()
    client.login(anna.email)
    english(client)
    response = _download(client, made.id)
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    assert "expired and erased" in client.get("/account/data").get_data(as_text=True)

    export.erase_expired()
    assert db.session.get(DataExport, made.id).content is None
    assert _download(client, made.id).status_code == 410


class TestLargeCopies:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "EXPORT_INLINE_ROWS": 0}

    def test_prepared_by_the_worker_then_emailed(self, client, runner, anna, anna_active, smtp):
        client.login(anna.email)
        english(client)
        response = client.submit("/account/data", follow_redirects=True)
        assert "we are preparing it and will email you" in response.get_data(as_text=True)
        made = db.session.scalars(select(DataExport).where(DataExport.user_id == anna.id)).one()
        assert made.status == "pending"
        assert "being prepared" in client.get("/account/data").get_data(as_text=True)
        assert _download(client, made.id).status_code == 409

        # A second request while the first waits adds nothing.
        again = client.submit("/account/data", follow_redirects=True)
        assert "already being prepared" in again.get_data(as_text=True)
        assert len(db.session.scalars(select(DataExport).where(DataExport.user_id == anna.id)).all()) == 1

        result = runner.invoke(args=["privacy", "exports"])
        assert result.exit_code == 0, result.output
        assert "prepared 1" in result.output
        assert db.session.get(DataExport, made.id).status == "ready"
        sent = smtp.to("anna@example.it")
        assert len(sent) == 1
        assert "/account/data" in sent[0].body
        assert _download(client, made.id).status_code == 200

        # Nothing waits any more: a second run prepares nothing and sends nothing.
        assert "prepared 0" in runner.invoke(args=["privacy", "exports"]).output
        assert len(smtp.to("anna@example.it")) == 1


def test_every_column_naming_an_account_is_exported_or_explained(app):
    """A new table that refers to accounts must be placed in the copy or be given a reason not to."""
    found = {"user_account.id"}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "user_account" for fk in column.foreign_keys):
                found.add(f"{table.name}.{column.name}")
    assert found == set(export.EXPORTED) | set(export.NOT_EXPORTED)
    assert not set(export.EXPORTED) & set(export.NOT_EXPORTED)
    assert set(export.EXPORTED.values()) <= set(export.SECTIONS)


def test_own_hidden_posts_are_in_the_copy_and_nothing_hidden_of_others(client, app, anna, bruno, torino, anna_active,
                                                                        make_user, add_vote):
    """The copy holds the person's own hidden posts with the moderators' reason (the right of access); of
    someone else's hidden content, neither a title nor a notification."""
    from civic.moderation import services as moderation

    need, idea = anna_active
    add_vote(bruno, need)  # Bruno supports Anna's need, and is notified of nothing about it
    moderator = make_user("moderator", email="mod.torino@example.it", cities=[torino])
    moderation.hide(moderator, need, "Dati personali di terzi")
    moderation.hide(moderator, idea, "Fuori tema")
    db.session.commit()

    mine = export.document(db.session.get(type(anna), anna.id))
    hidden = [p for p in mine["posts"] if p["id"] == need.id][0]
    assert hidden["title"] == "Panchine rotte ai giardini" and hidden["hidden_reason"] == "Dati personali di terzi"
    # Anna voted for and followed Bruno's idea, now hidden: the vote is listed without its title.
    assert [v["post_title"] for v in mine["votes"]] == [None]
    assert "Un orto condiviso" not in json.dumps(mine)

    his = json.dumps(export.document(db.session.get(type(bruno), bruno.id)), ensure_ascii=False)
    assert "Panchine rotte" not in his  # Anna's hidden need: no title in his votes, no notification
    assert "Un orto condiviso" in his  # his own idea, hidden: his own data
