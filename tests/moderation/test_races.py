"""Moderation actions that meet at the same moment: counters and the audit log stay right."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from civic.accounts.models import User
from civic.audit.models import AuditEvent
from civic.comments import services as comment_services
from civic.comments.models import Comment
from civic.extensions import db
from civic.moderation import services as moderation
from tests.moderation.helpers import comment_count, hidden_at, post_all_at_once
from tests.posts.helpers import logged_in_clients

PARALLEL = 8


@pytest.fixture
def thread_with_comments(anna, bruno, carla, torino, new_need, add_comment):
    need = new_need(carla, torino, title="Un bisogno molto discusso")
    first = add_comment(anna, need, "Il commento di Anna")
    add_comment(bruno, need, "Il commento di Bruno")
    add_comment(carla, need, "Il commento di Carla")
    return need, first


def test_the_same_comment_hidden_by_many_requests_at_once_is_hidden_once(app, client, make_user, torino,
                                                                         thread_with_comments):
    need, comment = thread_with_comments
    make_user("moderator", email="mod.torino@example.it", cities=[torino])
    clients = logged_in_clients(app, ["mod.torino@example.it"] * PARALLEL)
    results = post_all_at_once(app, clients, f"/moderation/comment/{comment.id}/hide", {"reason": "Spam"})
    assert results.count(302) == 1, results
    assert set(results) - {302} <= {409}, results
    assert hidden_at(comment) is not None
    assert comment_count(need) == 2
    events = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "comment.hide"))
    assert events == 1


def _in_two_requests(app, first, second):
    """Run `first` and `second` in two requests that both read the comment before either writes:
    `first` writes and commits, then `second` does (the usual check-then-act race, made deterministic)."""
    both_read, first_done = threading.Barrier(2), threading.Event()
    errors: list[str] = []

    def run(step, wait_for_first: bool):
        with app.app_context():
            try:
                act = step()  # reads what the view reads, returns the write
                both_read.wait(timeout=10)
                if wait_for_first:
                    first_done.wait(timeout=10)
                act()
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported by the test
                db.session.rollback()
                errors.append(f"{type(error).__name__}: {error}"[:300])
            finally:
                if not wait_for_first:
                    first_done.set()

    threads = [threading.Thread(target=run, args=(first, False)), threading.Thread(target=run, args=(second, True))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def _hide(moderator_id: int, comment_id: int):
    moderator, comment = db.session.get(User, moderator_id), db.session.get(Comment, comment_id)
    comment.post.city  # noqa: B018 - loaded by the view before it acts
    return lambda: moderation.hide(moderator, comment, "Offensivo")


def _delete(author_id: int, comment_id: int):
    author, comment = db.session.get(User, author_id), db.session.get(Comment, comment_id)
    return lambda: comment_services.delete_comment(author, comment)


def test_hiding_and_deleting_a_comment_at_the_same_moment_count_it_out_once(app, client, make_user, torino, anna,
                                                                            add_comment, thread_with_comments):
    need, comment = thread_with_comments
    other = add_comment(anna, need, "Un altro commento di Anna")
    moderator = make_user("moderator", email="mod.torino@example.it", cities=[torino])
    mod_id, anna_id = moderator.id, anna.id  # read here: the threads must not touch this session's objects
    expected = 4  # the three comments of the thread and Anna's other one
    for target_id, order in ((comment.id, "hide first"), (other.id, "delete first")):
        hide_step, delete_step = (lambda i=target_id: _hide(mod_id, i)), (lambda i=target_id: _delete(anna_id, i))
        errors = _in_two_requests(app, *((hide_step, delete_step) if order == "hide first" else
                                         (delete_step, hide_step)))
        assert not errors, (order, errors)
        db.session.expire_all()
        target = db.session.get(Comment, target_id)
        assert target.hidden_at is not None and target.deleted_at is not None, order
        expected -= 1
        assert comment_count(need) == expected, order  # four comments, one (then two) of them gone
