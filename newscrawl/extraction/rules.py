"""What extraction needs to know about one site; site spiders declare it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newscrawl.extraction.fields import Override


@dataclass(frozen=True)
class SiteRules:
    """Declarative extraction knowledge of one site.

    Selectors are CSS. ``noise_patterns`` are regexes that a whole text block of
    the body matching (or, for a glued block, containing) marks as noise: the
    site's ticker timestamp, its footer lines.
    """

    name: str = "generic"
    body_selectors: tuple[str, ...] = ()
    noise_selectors: tuple[str, ...] = ()
    noise_patterns: tuple[str, ...] = ()
    boilerplate: tuple[str, ...] = ()
    title_selectors: tuple[str, ...] = ("h1",)
    title_affixes: tuple[str, ...] = ()  # regexes removed from titles (site name)
    author_selectors: tuple[str, ...] = ()
    date_selectors: tuple[str, ...] = ()
    date_formats: tuple[str, ...] = ()
    timezone: str = "UTC"
    section_selectors: tuple[str, ...] = ()
    tag_selectors: tuple[str, ...] = ()
    min_body_chars: int = 200
    # Bodies written as plain text with line breaks (no <p>, no <br>): one paragraph a line.
    newline_paragraphs: bool = False
    # Per-field knobs (newscrawl.extraction.overrides), for quirks many sites share:
    # names given as a byline that are no person's (the outlet, its desk, agencies),
    # compared case-insensitively;
    not_authors: tuple[str, ...] = ()
    # where the printed date is, read when no other date was found (with
    # ``printed_date_parser`` when the site's ``date_formats`` cannot read it);
    printed_date_selectors: tuple[str, ...] = ()
    printed_date_parser: Callable[[str], datetime | None] | None = field(
        default=None, compare=False
    )
    # where the page prints its local time, for sites whose machine dates say "Z" but
    # mean local wall-clock time (read in ``timezone`` when the two agree).
    wall_clock_selectors: tuple[str, ...] = ()
    # The rest: one typed hook per field (newscrawl.sites.toolkit.override).
    overrides: tuple[Override[Any], ...] = field(default=(), compare=False)
    compiled_noise: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "compiled_noise", tuple(re.compile(p, re.IGNORECASE) for p in self.noise_patterns)
        )


GENERIC_RULES = SiteRules()
