"""A learned template: typed, serialisable, and a SiteRules declaration in disguise."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from cssselect import SelectorError

from newscrawl.extraction.rules import SiteRules
from newscrawl.extraction.selectors import compiled_css

# Bumped when the meaning of a stored template changes; older ones are relearned.
FORMAT = 1


@dataclass(frozen=True)
class Layout:
    """One article layout of a site: the CSS selector of its story container."""

    body: str
    pages: int = 0  # training pages this layout placed
    # It named one element on every training page: more on a page means teasers
    # share its name, and the page is not placed by it.
    single: bool = True
    # The least share of the page's <p> text its containers held on a training page:
    # far less on a page means the story runs on outside them (a split story, a
    # live blog), and the page is not placed by it.
    share: float = 0.0
    # The least F1 of its bodies against the generic extractor's on its training pages.
    agreement: float = 1.0
    # The story's lead (standfirst) where the layout keeps it before the container, in
    # the page header: the per-page extractor counts it as story, the container misses it.
    lead: str = ""


@dataclass(frozen=True)
class Template:
    """What a site's pages share. Selectors are CSS (parsel/lxml).

    ``layouts`` are tried in order; the first whose container holds at least
    ``min_body_chars`` decides the body. ``noise`` are selectors inside the
    container, checked on every training page never to remove story text.
    ``boilerplate`` are text blocks seen verbatim on several pages. ``outside`` are
    selectors of blocks outside the containers on the training pages, holding text and
    never story (related and most-read lists, tickers, share bars): the site's noise,
    which a body must not take in (the drift signal "noise leaks back").
    """

    site: str
    origin: str
    language: str | None = None
    layouts: tuple[Layout, ...] = ()
    noise: tuple[str, ...] = ()
    boilerplate: tuple[str, ...] = ()
    title: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    min_body_chars: int = 200
    pages: int = 0
    article_url: str = ""  # a regex on URL paths the training pages share, for review
    format: int = field(default=FORMAT)
    outside: tuple[str, ...] = ()  # a template stored before it was learned has none

    def rules(self) -> SiteRules:
        """The declaration a site module would write for these pages (built once)."""
        return self._rules

    def layout_rules(self, layout: Layout) -> SiteRules:
        """The rules with this layout's container alone and no length floor (the caller
        judges the length: no densest-block search for a page the layout misses)."""
        return self._layout_rules[layout.body]

    @cached_property
    def _layout_rules(self) -> dict[str, SiteRules]:
        return {
            layout.body: replace(self._rules, body_selectors=(layout.body,), min_body_chars=0)
            for layout in self.layouts
        }

    @cached_property  # frozen dataclass: cached_property writes __dict__, not setattr
    def _rules(self) -> SiteRules:
        return SiteRules(
            name=self.name,
            body_selectors=tuple(layout.body for layout in self.layouts),
            noise_selectors=self.noise,
            boilerplate=self.boilerplate,
            title_selectors=(*self.title, "h1"),
            author_selectors=self.author,
            date_selectors=self.date,
            min_body_chars=self.min_body_chars,
        )

    @property
    def name(self) -> str:
        """A site name siteconfig accepts (a-z, 0-9, _), from the host."""
        host = (urlsplit(self.origin).hostname or self.site).removeprefix("www.")
        cleaned = "".join(c if c.isascii() and c.isalnum() else "_" for c in host.lower())
        return cleaned[:64] or "learned"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Template:
        if data.get("format") != FORMAT:
            raise ValueError(f"template format {data.get('format')!r}, expected {FORMAT}")
        values = dict(data)
        values["layouts"] = tuple(Layout(**layout) for layout in data.get("layouts", ()))
        for key in ("noise", "boilerplate", "title", "author", "date", "outside"):
            values[key] = tuple(data.get(key, ()))
        return cls(**values)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Template:
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_declaration(
        cls, rules: SiteRules, origin: str, learned: Mapping[str, Any]
    ) -> Template:
        """The template a site declaration's ``[rules]`` and ``[learned]`` tables hold
        (what :meth:`to_toml` wrote, as reviewed): the rules' selectors, and for each
        body selector how its layout places a page. A body selector the reviewer added
        places any page it names (no placement limits learned for it)."""
        known = {layout["body"]: Layout(**layout) for layout in learned.get("layouts", ())}
        return cls(
            site=urlsplit(origin).hostname or rules.name,
            origin=origin,
            layouts=tuple(known.get(c, Layout(c, single=False)) for c in rules.body_selectors),
            noise=rules.noise_selectors,
            boilerplate=rules.boilerplate,
            title=tuple(css for css in rules.title_selectors if css != "h1"),  # rules() adds it
            author=rules.author_selectors,
            date=rules.date_selectors,
            min_body_chars=rules.min_body_chars,
            pages=int(learned.get("pages", 0)),
            outside=_selectors(learned.get("outside", ())),
        )

    def to_toml(self, feeds: tuple[str, ...] = (), sections: tuple[str, ...] = ()) -> str:
        """A site declaration for ``scrapy crawl news -a config=FILE`` (newscrawl.sites.siteconfig),
        for a human to review: add feeds, sections and the article URL pattern."""
        rules = self.rules()
        host = urlsplit(self.origin).hostname or self.site
        lines = [
            f"# Learned from {self.pages} pages of {host}: {len(self.layouts)} layout(s).",
            "# Review before use: feeds, sections and article_url are for you to fill in.",
            f"name = {_toml(self.name)}",
            f"origin = {_toml(self.origin)}",
            f"domains = {_toml([host.removeprefix('www.')])}",
            f"article_url = {_toml(self.article_url)}",
            "",
            f"[editions.{_bare(self.language or 'und')}]",
            f"language = {_toml(self.language or 'und')}",
            'path = "/"',
            f"feeds = {_toml(list(feeds))}",
            f"sections = {_toml(list(sections))}",
            "",
            "[rules]",
        ]
        for key in ("body_selectors", "noise_selectors", "boilerplate", "title_selectors",
                    "author_selectors", "date_selectors"):  # fmt: skip
            lines.append(f"{key} = {_toml(list(getattr(rules, key)))}")
        lines.append(f"min_body_chars = {rules.min_body_chars}")
        # How each layout places a page: with this table the crawl extracts as
        # newscrawl.extract(..., template=) does (extraction: "learned", generic where
        # no layout places the page); without it, as a site module does.
        lines += [
            "",
            "[learned]",
            f"pages = {self.pages}",
            f"outside = {_toml(list(self.outside))}",
        ]
        for layout in self.layouts:
            lines += [
                "",
                "[[learned.layouts]]",
                f"body = {_toml(layout.body)}",
                f"pages = {layout.pages}",
                f"single = {'true' if layout.single else 'false'}",
                f"share = {layout.share}",
                f"agreement = {layout.agreement}",
                f"lead = {_toml(layout.lead)}",
            ]
        return "\n".join(lines) + "\n"


def _selectors(values: Any) -> tuple[str, ...]:
    """CSS selectors as declared, each checked to compile (ValueError names it)."""
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"outside must be a list of CSS selectors, got {values!r}")
    for css in values:
        try:
            compiled_css(css)
        except SelectorError as exc:
            raise ValueError(f"outside: {css!r}: {exc}") from None
    return tuple(values)


def _toml(value: str | list[str]) -> str:
    # A JSON string is a valid TOML basic string (same escapes); lists likewise.
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _bare(key: str) -> str:
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in key)
    return cleaned or "und"
