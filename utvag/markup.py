"""A team's public words: restricted Markdown in, a small safe subset of HTML out.

The lead writes paragraphs, ``**strong**``, ``*emphasis*``, lists (``- item``
or ``1. item``) and links (``[text](https://…)``). ``to_html`` turns that
syntax into tags and leaves everything else as it was typed, raw HTML too:
what survives is decided in one place only, by nh3 (the Ammonia sanitiser),
with the allow-list below. ``render`` also says whether nh3 changed anything,
and how, so the lead sees it before saving (README, "Several programmes on
one install"). The public site passes the stored HTML through ``clean``
again when it shows it.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a"})
ALLOWED_ATTRIBUTES = {"a": {"href"}}
# http for an onion address; tel for a phone number.
URL_SCHEMES = frozenset({"https", "http", "tel"})
LINK_REL = "noopener noreferrer"
MAX_SOURCE_LENGTH = 4000

_BULLET = re.compile(r"^[-*]\s+")
_NUMBERED = re.compile(r"^\d{1,3}[.)]\s+")
# The address may hold one level of parentheses, as in Markdown.
_LINK = re.compile(r"\[([^\]\n]+)\]\(((?:[^()\s]|\([^()\s]*\))*)\)")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EMPHASIS = re.compile(r"(?<![*\w])[*_](?=\S)(.+?)(?<=\S)[*_](?![*\w])")


def clean(markup: str) -> str:
    """Only the allowed tags, attributes and link schemes; the content of
    ``<script>`` and ``<style>`` goes with them."""
    return nh3.clean(
        markup,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def _link(match: re.Match[str]) -> str:
    text, url = match.groups()
    return f'<a href="{html.escape(url, quote=True)}">{text}</a>'


def _inline(text: str) -> str:
    text = _LINK.sub(_link, text)
    text = _STRONG.sub(r"<strong>\1</strong>", text)
    return _EMPHASIS.sub(r"<em>\1</em>", text)


def _block(lines: list[str]) -> str:
    if all(_BULLET.match(line) for line in lines):
        items = "".join(f"<li>{_inline(_BULLET.sub('', line))}</li>" for line in lines)
        return f"<ul>{items}</ul>"
    if all(_NUMBERED.match(line) for line in lines):
        items = "".join(f"<li>{_inline(_NUMBERED.sub('', line))}</li>" for line in lines)
        return f"<ol>{items}</ol>"
    return "<p>" + "<br>\n".join(_inline(line) for line in lines) + "</p>"


def to_html(source: str) -> str:
    """The Markdown syntax as tags; anything else left as typed (see module)."""
    blocks: list[list[str]] = [[]]
    for line in source.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    return "\n".join(_block(lines) for lines in blocks if lines)


class _Tokens(HTMLParser):
    """HTML as one line per tag or text, so two renderings compare by what
    they mean: entities decoded, attributes sorted, nh3's own ``rel`` left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._text: list[str] = []

    def flush_text(self) -> None:
        # The parser may hand one run of text over in pieces ("a ", "<", " b").
        text = " ".join("".join(self._text).split())
        if text:
            self.lines.append(text)
        self._text = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.flush_text()
        shown = " ".join(
            f'{name}="{value or ""}"' for name, value in sorted(attrs) if name != "rel"
        )
        self.lines.append(f"<{tag}{' ' if shown else ''}{shown}>")

    def handle_endtag(self, tag: str) -> None:
        self.flush_text()
        if tag != "br":
            self.lines.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def handle_comment(self, data: str) -> None:
        self.flush_text()
        self.lines.append(f"<!--{data}-->")


def _tokens(markup: str) -> list[str]:
    parser = _Tokens()
    parser.feed(markup)
    parser.close()
    parser.flush_text()
    return parser.lines


@dataclass(frozen=True)
class Rendered:
    """What the public page will show, and what the sanitiser changed on the
    way: an empty ``changes`` means nothing."""

    html: str
    # Lines of a diff: "- " what was written and is gone, "+ " what stands instead.
    changes: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def render(source: str) -> Rendered:
    """The lead's Markdown as the public page will show it."""
    written = to_html(source)
    shown = clean(written)
    changes = tuple(
        line
        for line in difflib.ndiff(_tokens(written), _tokens(shown))
        if line.startswith(("- ", "+ "))
    )
    return Rendered(html=shown, changes=changes)
