"""`flask --app wsgi richtext rerender`: texts saved under older rules get the HTML today's rules make."""
from __future__ import annotations

from sqlalchemy import select, update

from civic.extensions import db
from civic.posts.models import Post


def test_a_text_saved_before_a_stricter_rule_is_rendered_again(runner, anna, torino, new_need):
    need = new_need(anna, torino, title="Lampioni spenti in via Roma",
                    body="Di sera la via è buia. ![mappa](/uploads/%2e%2e/opendata/ideas.csv?v=0)")
    # What the HTML was when images were judged by their prefix alone.
    old = '<p>Di sera la via è buia. <img alt="mappa" src="/uploads/%2e%2e/opendata/ideas.csv?v=0"></p>'
    db.session.execute(update(Post).where(Post.id == need.id).values(body_html=old))
    db.session.commit()

    result = runner.invoke(args=["richtext", "rerender"])
    assert result.exit_code == 0, result.output
    assert "post.body_html: 1 changed" in result.output
    stored = db.session.scalar(select(Post.body_html).where(Post.id == need.id))
    assert "opendata" not in stored and "Di sera la via è buia." in stored

    again = runner.invoke(args=["richtext", "rerender"])
    assert again.exit_code == 0 and "every text was already as rendered today" in again.output
