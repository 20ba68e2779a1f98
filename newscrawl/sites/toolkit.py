"""Everything a site module needs, and the only newscrawl module it imports.

A site module declares ``SPEC = SiteSpec(...)``: editions, URL patterns and
``rules=SiteRules(...)`` (selectors, noise, dates, and the per-field knobs), plus, for a
quirk no knob covers, per-field hooks (:func:`override`) that receive a :class:`Page`.
"""

from newscrawl.extraction.rules import SiteRules
from newscrawl.sites.spec import Edition, SiteSpec

__all__ = ["Edition", "SiteRules", "SiteSpec"]
