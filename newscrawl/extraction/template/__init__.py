"""Templates learned from a site's own pages: what repeats is furniture, what is
unique to each page and reads as prose is the story.

``learn.learn_site(pages)`` gives a :class:`model.Template`; ``apply.extract_with_template``
extracts a page with it (``extraction: "learned"``), or with the generic extractor when
the template cannot place the page; ``online`` learns during a crawl and stores
templates with the state. Import from the modules (this package imports none of them).
"""
