"""A team's public words: the Markdown the lead writes, the HTML nh3 lets through."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from utvag.markup import ALLOWED_TAGS, render, to_html


def test_the_markdown_a_lead_writes_comes_through_unchanged() -> None:
    rendered = render(
        "Vi är **Vägvalet** och *lyssnar*.\nRing oss.\n\n- ett\n- två\n\n1. först\n2. sen\n\n"
        "[Läs mer](https://example.se/a_(b)) eller ring [016-710 00 00](tel:0167100000); a < b"
    )
    assert rendered.changes == ()
    assert rendered.html == (
        "<p>Vi är <strong>Vägvalet</strong> och <em>lyssnar</em>.<br>\nRing oss.</p>\n"
        "<ul><li>ett</li><li>två</li></ul>\n<ol><li>först</li><li>sen</li></ol>\n"
        '<p><a href="https://example.se/a_(b)" rel="noopener noreferrer">Läs mer</a> eller ring'
        ' <a href="tel:0167100000" rel="noopener noreferrer">016-710 00 00</a>; a &lt; b</p>'
    )


@pytest.mark.parametrize(
    ("source", "gone"),
    [
        ("hej <script>alert(1)</script>", "- <script>"),
        ('<img src=x onerror="alert(1)">', '- <img onerror="alert(1)" src="x">'),
        ("[klicka](javascript:alert(1))", '- <a href="javascript:alert(1)">'),
        ('<a href="https://x.se" onclick="x()">x</a>', '- <a href="https://x.se" onclick="x()">'),
        ("<style>body{display:none}</style>hej", "- <style>"),
        ('<iframe src="https://x.se"></iframe>', '- <iframe src="https://x.se">'),
        ("<!-- dold -->hej", "- <!-- dold -->"),
    ],
)
def test_what_the_sanitiser_takes_away_is_said(source: str, gone: str) -> None:
    rendered = render(source)
    assert rendered.changed
    assert gone in rendered.changes
    for bad in ("<script", "<img", "onerror", "onclick", "javascript:", "<style", "<iframe"):
        assert bad not in rendered.html


@given(st.text(max_size=300))
def test_nothing_but_the_small_subset_ever_comes_out(source: str) -> None:
    shown = render(source).html
    tags = set(re.findall(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)", shown))
    assert tags <= ALLOWED_TAGS
    assert not re.search(r"\son[a-z]+\s*=", shown)
    assert 'href="javascript' not in shown.lower()


def test_an_empty_text_is_no_html() -> None:
    assert to_html("  \n\n ") == ""
