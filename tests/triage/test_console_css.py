"""The console's tables read on a 390 px phone without sideways scrolling
(issue 21, item 7): checked without a browser, as the layout pattern the
stylesheet uses (each row a card, each cell under its heading) and the
headings every cell carries. tests/browser measures it in a real browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from support import csrf_token_from, post_form

CSS = Path(__file__).parents[2] / "triage" / "static" / "console.css"

pytestmark = pytest.mark.usefixtures("during_office_hours")


def _narrow_rules() -> str:
    css = CSS.read_text(encoding="utf-8")
    start = css.index("@media (max-width: 40rem)")
    depth, end = 0, start
    for end in range(css.index("{", start), len(css)):
        depth += {"{": 1, "}": -1}.get(css[end], 0)
        if depth == 0:
            break
    return css[start:end]


def test_on_a_phone_the_queue_table_is_cards_not_a_scrolling_box() -> None:
    narrow = _narrow_rules()
    assert re.search(
        r"table\.queue, table\.queue tbody, table\.queue tr, table\.queue td \{ display: block",
        narrow,
    )
    assert re.search(r"table\.queue \{ overflow-x: visible; \}", narrow)
    assert "content: attr(data-label)" in narrow
    assert re.search(r"table\.queue thead \{ position: absolute;", narrow)
    assert 390 < 40 * 16  # the phone is inside the narrow rules (40rem = 640 px)


@pytest.mark.parametrize("path", ["/queue", "/queue?view=messages", "/cases"])
def test_every_cell_carries_its_heading(
    path: str, client: FlaskClient, logged_in_staff: FlaskClient
) -> None:
    post_form(client, "/sv/callback", {"phone": "070-123 45 67"})
    post_form(client, "/sv/message", {"message": "Hej"})
    if path == "/cases":
        token = csrf_token_from(logged_in_staff.get("/queue").get_data(as_text=True))
        for step, form in (("claim", {}), ("attempts", {"outcome": "reached"}), ("case", {})):
            logged_in_staff.post(f"/contacts/1/{step}", data={"csrf_token": token, **form})
    html = logged_in_staff.get(path).get_data(as_text=True)
    assert "<tbody>" in html
    headings = re.findall(r'<th scope="col">(.*?)</th>', html, flags=re.S)
    for row in re.findall(r"<tbody>(.*?)</tbody>", html, flags=re.S)[0].split("</tr>")[:-1]:
        labels = re.findall(r'<td data-label="([^"]*)"', row)
        assert len(labels) == len(re.findall(r"<td", row)) == len(headings), row
        shown = [re.sub(r"<[^>]+>", "", heading).strip() for heading in headings]
        # Each cell under its own column's heading (the choose box's is hidden).
        for label, heading in zip(labels, shown, strict=True):
            assert label == heading or label.startswith(heading), (label, heading)
