from tests.codesign.conftest import MODERATOR
from tests.posts.helpers import english


def test_pages_render(client, planned, meeting):
    process = planned()
    meeting(48, capacity=3)
    client.login(MODERATOR)
    english(client)
    page = client.get(f"/codesign/{process.id}-{process.slug}")
    assert page.status_code == 200, page.get_data(as_text=True)[:3000]
    for url in ("/codesign", "/codesign?city=torino", f"/codesign/{process.id}/edit",
                f"/codesign/{process.id}/meetings/new", f"/codesign/{process.id}/documents/new"):
        r = client.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:3000])
