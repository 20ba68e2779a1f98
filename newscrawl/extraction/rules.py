"""What extraction needs to know about one site; site spiders declare it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


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
    # Last resort for a quirk no declaration covers: fix the record in place, in the
    # site's own module. Called with the record and the page's root element.
    postprocess: Callable[[dict[str, Any], Any], None] | None = field(default=None, compare=False)
    compiled_noise: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "compiled_noise", tuple(re.compile(p, re.IGNORECASE) for p in self.noise_patterns)
        )


GENERIC_RULES = SiteRules()
