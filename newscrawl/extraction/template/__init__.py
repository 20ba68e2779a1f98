"""Templates learned from a site's own pages: what repeats is furniture, what is
unique to each page and reads as prose is the story.

``learn_site(pages)`` gives a :class:`Template`; ``extract_with_template`` extracts
a page with it (``extraction: "learned"``), or with the generic extractor when the
template cannot place the page.
"""

from newscrawl.extraction.template.apply import extract_with_template
from newscrawl.extraction.template.learn import learn_site
from newscrawl.extraction.template.model import Layout, Template

__all__ = ["Layout", "Template", "extract_with_template", "learn_site"]
