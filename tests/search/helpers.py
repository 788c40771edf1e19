from __future__ import annotations

import re

from tests.posts.helpers import english  # noqa: F401


def results(client, **args) -> tuple[int, list[str], str]:
    """(status, result titles without marks, page html) of /search."""
    response = client.get("/search", query_string=args)
    html = response.get_data(as_text=True)
    titles = [re.sub(r"<[^>]+>", "", t).strip()
              for t in re.findall(r'<h3 class="h6 mb-1"><a href="[^"]*">(.*?)</a></h3>', html, re.S)]
    return response.status_code, titles, html


def total(html: str) -> int:
    found = re.search(r'id="results-heading"[^>]*>\s*(\d+)', html)
    return int(found.group(1)) if found else -1
