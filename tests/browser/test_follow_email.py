"""Following the demo co-design process of Turin: a resident follows it, the moderator adds a meeting, the
resident finds it under the bell and, once the worker ran (`notifications send` on the live server's
database), in their mailbox (the live server's SMTP server).

Login POSTs made: 2.
"""
from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_MODERATOR

pytestmark = pytest.mark.browser

FOLLOWER = "luca.bertoni@example.it"  # a demo resident who is not the author of the Vallette idea


def _process_path(page, visit) -> str:
    visit(page, "/codesign?city=torino")
    link = page.locator("main .codesign-list a", has_text="portierato sociale alle Vallette").first
    href = link.get_attribute("href")
    assert href and re.match(r"^/codesign/\d+-", href)
    return href


def test_a_follower_is_told_of_a_new_meeting_on_the_site_and_by_email(new_context, visit, log_in, live_server):
    resident = new_context().new_page()
    path = _process_path(resident, visit)
    process_id = path.split("/")[2].split("-")[0]
    log_in(resident, FOLLOWER)
    visit(resident, path)
    follow = resident.locator(f"main form[action='/follow/codesign/{process_id}'] button")
    if follow.count():  # a second run on the same server may find it followed already
        follow.click()
        resident.wait_for_load_state()
    expect(resident.locator(f"main form[action='/unfollow/codesign/{process_id}'] button")).to_be_visible()

    title = f"Tavolo con i vicini volontari {secrets.token_hex(3)}"
    moderator = new_context().new_page()
    log_in(moderator, DEMO_MODERATOR)
    visit(moderator, f"/codesign/{process_id}/meetings/new")
    day = (date.today() + timedelta(days=30)).isoformat()
    moderator.fill("#title", title)
    moderator.fill("#starts_at", f"{day}T17:30")
    moderator.fill("#ends_at", f"{day}T19:30")
    moderator.fill("#place", "Via Sansovino 1, Torino")
    moderator.fill("#agenda", "1. Presentazioni\n2. Turni dei volontari")
    moderator.locator("main form button[type=submit]").click()
    moderator.wait_for_load_state()
    expect(moderator.locator("main", has_text=title).first).to_be_visible()

    # The bell shows it as unread, the notifications page names the meeting.
    visit(resident, "/")
    expect(resident.locator("header .notifications-bell .badge")).to_be_visible()
    resident.locator("header .notifications-bell").click()
    resident.wait_for_load_state()
    item = resident.locator("main .notifications-list li", has_text=title)
    expect(item).to_have_count(1)
    expect(item.locator("a")).to_have_attribute("href", re.compile(rf"^/codesign/{process_id}-"))

    if live_server.mailbox is None:
        pytest.skip("aiosmtpd is not installed: the email is checked by tests/notifications")
    live_server.run_cli("notifications", "send")
    emails = [m for m in live_server.mailbox.to(FOLLOWER) if title in str(m["Subject"])]
    assert len(emails) == 1, [str(m["Subject"]) for m in live_server.mailbox.to(FOLLOWER)]
    (received,) = emails
    assert received["Content-Language"] == "it"
    body = received.get_content()
    assert re.search(r"/unsubscribe/\S+", body) and received["List-Unsubscribe"]
    assert f"/codesign/{process_id}-" in body
    assert not [m for m in live_server.mailbox.to(DEMO_MODERATOR) if title in str(m["Subject"])]  # not the actor
