"""Comments and replies written on behalf of an organisation: only by its members, shown beside the
author's name (linked to the organisation), kept on an edit and after the author leaves, never
costing a query per comment; and the organisations a person is a member of, on their profile."""
from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from civic.comments import services as comment_services
from civic.comments.models import Comment
from civic.comments.services import CommentError
from civic.extensions import db
from civic.moderation import services as moderation
from civic.orgs import services
from civic.orgs.models import Organisation
from civic.posts.services import PostForbidden
from tests.conftest import table_counts
from tests.orgs.conftest import CF_B, CF_C
from tests.posts.helpers import english

ANNA, BRUNO, CARLA = "anna@example.it", "bruno@example.it", "carla@example.it"


def _org_link(org) -> str:
    return f'<a href="/organisations/{org.id}-{org.slug}">{org.name}</a>'


def _article(html: str, comment_id: int) -> str:
    """The HTML of one comment (its <article>)."""
    match = re.search(rf'<article id="comment-{comment_id}".*?</article>', html, re.S)
    assert match, f"comment {comment_id} is not on the page"
    return match.group(0)


def _page(post) -> str:
    return f"/{post.kind}s/{post.id}-{post.slug}"


def _comment(author, post, body: str, parent=None, org=None) -> Comment:
    comment = comment_services.add_comment(author, post, body, parent.id if parent else None, org.id if org else None)
    db.session.commit()
    return comment


@pytest.fixture
def ponte(anna, bruno, new_org):
    """Il Ponte: Anna administers it, Bruno is a member."""
    return new_org(anna, members=[bruno])


# --- writing on behalf: the pages -----------------------------------------------------------------

def test_a_member_comments_and_replies_on_behalf_of_the_organisation(client, anna, bruno, torino, ponte, new_need):
    need = new_need(anna, torino)
    client.login(BRUNO)
    page = client.get(_page(need)).get_data(as_text=True)
    assert re.search(r'<select[^>]*id="organisation"[^>]*name="organisation"|<select[^>]*name="organisation"', page)
    assert f'<option value="{ponte.id}">{ponte.name}</option>' in page

    response = client.submit(f"/posts/{need.id}/comments", {"body": "Il Ponte può aiutare.",
                                                             "organisation": str(ponte.id)})
    assert response.status_code == 302
    comment = db.session.scalar(select(Comment))
    assert comment.organisation_id == ponte.id and comment.author_id == bruno.id

    # The reply form under the comment offers the organisations too (without JavaScript: a plain select).
    page = client.get(_page(need)).get_data(as_text=True)
    assert f'id="reply-organisation-{comment.id}"' in page
    response = client.submit(f"/posts/{need.id}/comments", {"body": "Scriveteci pure.", "parent_id": str(comment.id),
                                                             "organisation": str(ponte.id)})
    assert response.status_code == 302
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == comment.id))
    assert reply.organisation_id == ponte.id

    # Without choosing, a comment is one's own.
    client.submit(f"/posts/{need.id}/comments", {"body": "A titolo personale.", "organisation": ""})
    own = db.session.scalar(select(Comment).where(Comment.body_markdown == "A titolo personale."))
    assert own.organisation_id is None

    client.submit("/account/logout")
    page = client.get(_page(need)).get_data(as_text=True)  # what everyone sees
    for written in (comment, reply):
        article = _article(page, written.id)
        assert "Bruno Bianchi</a>" in article and _org_link(ponte) in article
        assert article.index("Bruno Bianchi") < article.index(ponte.name)
    assert ponte.name not in _article(page, own.id)


def test_the_select_is_not_offered_without_organisations(client, anna, carla, torino, ponte, new_need):
    need = new_need(anna, torino)
    _comment(anna, need, "Un commento a cui rispondere")
    client.login(CARLA)
    page = client.get(_page(need)).get_data(as_text=True)
    assert 'name="organisation"' not in page and ponte.name not in page
    assert 'name="parent_id"' in page  # the reply form is there, without the select


@pytest.mark.parametrize("reply", [False, True])
def test_someone_elses_organisation_is_refused_and_nothing_is_stored(client, anna, carla, torino, ponte, new_need,
                                                                     new_org, reply):
    need = new_need(anna, torino)
    root = _comment(anna, need, "Primo commento")
    new_org(carla, codice_fiscale=CF_C, name="Organizzazione di Carla")  # Carla has one, not Il Ponte
    client.login(CARLA)
    english(client)
    extra = {"parent_id": str(root.id)} if reply else {}
    before = table_counts()
    response = client.submit(f"/posts/{need.id}/comments", {"body": "Parlo per il Ponte", "organisation": str(ponte.id),
                                                             **extra})
    assert response.status_code == 403
    assert "only if you are one of its members" in response.get_data(as_text=True)
    for unknown in ("999999", "abc", "-3", "9" * 30):
        response = client.submit(f"/posts/{need.id}/comments", {"body": "Parlo per chi?", "organisation": unknown,
                                                                 **extra})
        assert response.status_code == 422, unknown
        assert "Choose one of your organisations from the list." in response.get_data(as_text=True)
    assert table_counts() == before


def test_the_form_shown_again_keeps_the_organisation_chosen(client, anna, bruno, torino, ponte, new_need):
    need = new_need(anna, torino)
    client.login(BRUNO)
    english(client)
    response = client.submit(f"/posts/{need.id}/comments", {"body": "   ", "organisation": str(ponte.id)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Write something before sending." in html
    assert re.search(rf'<option selected value="{ponte.id}">|<option value="{ponte.id}" selected', html)


# --- the service ----------------------------------------------------------------------------------

def test_the_service_checks_the_membership(app, anna, bruno, carla, torino, ponte, new_need):
    need = new_need(anna, torino)
    before = table_counts()
    with force_locale("en"):
        with pytest.raises(PostForbidden, match="comment on behalf of Il Ponte APS only if you are one of its members"
                           ) as caught:
            comment_services.add_comment(carla, need, "Ciao", organisation_id=ponte.id)
        assert caught.value.status == 403 and caught.value.field == "organisation"
        db.session.rollback()
        with pytest.raises(CommentError, match="Choose one of your organisations") as caught:
            comment_services.add_comment(bruno, need, "Ciao", organisation_id=999_999)
        assert caught.value.status == 422 and caught.value.field == "organisation"
        db.session.rollback()
    assert table_counts() == before
    comment = comment_services.add_comment(anna, need, "Ciao", organisation_id=ponte.id)  # an administrator is a member
    db.session.commit()
    assert comment.organisation == ponte


# --- editing, leaving, deleting the organisation --------------------------------------------------

def test_an_edit_keeps_the_organisation_even_after_the_author_left(client, anna, bruno, torino, ponte, new_need):
    need = new_need(anna, torino)
    comment = comment_services.add_comment(bruno, need, "Il Ponte c'è.", organisation_id=ponte.id)
    db.session.commit()
    services.leave(bruno, ponte)
    db.session.commit()

    client.login(BRUNO)
    form = client.get(f"/comments/{comment.id}/edit").get_data(as_text=True)
    assert 'name="organisation"' not in form and _org_link(ponte) in form  # said, not chosen again
    response = client.submit(f"/comments/{comment.id}/edit", {"body": "Il Ponte c'è ancora.", "organisation": ""})
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Comment, comment.id)
    assert edited.body_markdown == "Il Ponte c'è ancora." and edited.organisation_id == ponte.id

    # What was written on its behalf keeps showing it; new comments on its behalf are refused.
    page = client.get(_page(need)).get_data(as_text=True)
    assert _org_link(ponte) in _article(page, comment.id)
    assert f'<option value="{ponte.id}">' not in page
    assert client.submit(f"/posts/{need.id}/comments", {"body": "Ancora per il Ponte",
                                                        "organisation": str(ponte.id)}).status_code == 403


def test_deleting_the_organisation_keeps_its_comments(app, anna, torino, ponte, new_need):
    need = new_need(anna, torino)
    comment = comment_services.add_comment(anna, need, "Ciao", organisation_id=ponte.id)
    db.session.commit()
    db.session.delete(db.session.get(Organisation, ponte.id))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).organisation_id is None


# --- query counts ---------------------------------------------------------------------------------

def test_a_post_page_costs_the_same_with_many_comments_of_organisations(client, anna, bruno, carla, make_user, torino,
                                                                         new_org, new_need, count_queries):
    dario = make_user(email="dario@example.it", name="Dario Neri")
    orgs = [new_org(anna, members=[bruno]), new_org(bruno, codice_fiscale=CF_B, name="Seconda", members=[carla]),
            new_org(carla, codice_fiscale=CF_C, name="Terza", members=[dario, anna])]
    memberships = {anna: [orgs[0], orgs[2]], bruno: [orgs[0], orgs[1]], carla: [orgs[1], orgs[2]], dario: [orgs[2]]}
    people = list(memberships)
    quiet = new_need(anna, torino, title="Un bisogno con un commento")
    busy = new_need(anna, torino, title="Un bisogno molto commentato")
    comment_services.add_comment(bruno, quiet, "L'unico commento")
    for i in range(10):
        author = people[i % 4]
        on_behalf = memberships[author][i % len(memberships[author])] if i % 3 else None
        root = comment_services.add_comment(author, busy, f"Commento {i}", organisation_id=on_behalf and on_behalf.id)
        for j in range(2):
            replier = people[(i + j + 1) % 4]
            comment_services.add_comment(replier, busy, f"Risposta {i}.{j}", parent_id=root.id,
                                         organisation_id=memberships[replier][j % len(memberships[replier])].id)
    db.session.commit()
    client.login(ANNA)  # a member: the forms offer her organisations
    client.get(_page(quiet))  # warm up
    with count_queries() as few:
        assert client.get(_page(quiet)).status_code == 200
    with count_queries() as many:
        html = client.get(_page(busy)).get_data(as_text=True)
    assert html.count('class="comment ') == 30
    assert all(org.name in html for org in orgs) and html.count('class="comment-organisation"') == 26
    assert many.count == few.count, many.statements[few.count:]


# --- profiles and hidden content ------------------------------------------------------------------

def test_the_profile_lists_the_persons_organisations(client, anna, bruno, carla, torino, new_org, count_queries):
    ponte = new_org(anna, members=[bruno])
    seconda = new_org(carla, codice_fiscale=CF_B, name="Seconda Associazione", admins=[bruno])
    new_org(carla, codice_fiscale=CF_C, name="Terza di Carla")
    english(client)
    html = client.get(f"/users/{bruno.id}").get_data(as_text=True)
    section = re.search(r'<section[^>]*aria-labelledby="profile-organisations".*?</section>', html, re.S).group(0)
    assert _org_link(ponte) in section and _org_link(seconda) in section and "Terza di Carla" not in section
    html = client.get(f"/users/{anna.id}").get_data(as_text=True)
    assert _org_link(ponte) in html and "Seconda Associazione" not in html
    # One query, whatever their number.
    with count_queries() as one:
        client.get(f"/users/{anna.id}")
    with count_queries() as two:
        client.get(f"/users/{bruno.id}")
    assert two.count == one.count, two.statements[one.count:]


def test_a_person_without_organisations_has_no_such_section(client, anna):
    html = client.get(f"/users/{anna.id}").get_data(as_text=True)
    assert 'id="profile-organisations"' not in html


def test_hidden_comments_on_behalf_appear_neither_on_profiles_nor_organisation_pages(
        client, anna, bruno, torino, ponte, mod_torino, new_need):
    visible, hidden_post = new_need(anna, torino), new_need(anna, torino, title="Un bisogno che verrà nascosto")
    shown = comment_services.add_comment(bruno, visible, "Zqxvisibile del Ponte", organisation_id=ponte.id)
    hidden = comment_services.add_comment(bruno, visible, "Zqxnascosto del Ponte", organisation_id=ponte.id)
    on_hidden = comment_services.add_comment(bruno, hidden_post, "Zqxsulnascosto del Ponte", organisation_id=ponte.id)
    db.session.commit()
    moderation.hide(mod_torino, hidden, "Spam")
    moderation.hide(mod_torino, hidden_post, "Spam")
    db.session.commit()
    profile = client.get(f"/users/{bruno.id}").get_data(as_text=True)
    assert "Zqxvisibile" in profile and _org_link(ponte) in profile
    org_page = client.get(f"/organisations/{ponte.id}-{ponte.slug}").get_data(as_text=True)
    post_page = client.get(_page(visible)).get_data(as_text=True)
    for html in (profile, org_page, post_page):
        assert "Zqxnascosto" not in html and "Zqxsulnascosto" not in html
    assert ponte.name not in _article(post_page, hidden.id)  # a hidden comment keeps its place, nameless
    assert _org_link(ponte) in _article(post_page, shown.id)
    assert on_hidden.id  # written, then hidden with its post
