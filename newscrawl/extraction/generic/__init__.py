"""Generic extraction: any news page, no site module.

``extract_generic(html, url)`` gives the record of ``extract_article`` (metadata from
JSON-LD/OpenGraph/meta, dates with our Arabic and Persian handling, the language
checked against the script), with ``site`` and ``extraction`` "generic". Only the
body is found differently (``generic_body``), by trafilatura plus our own rules,
none of them about one site:

1. ``tree``: the page tree is read for noise. *Pruned* nodes (other stories
   appended below the page's own, hidden elements) are dropped from trafilatura's
   own copy of the tree (ours is left as it was). *Noise blocks* (link-dense
   headline lists, tickers, boxes whose class names a ticker, related or most-read
   box, share bar or footer, "read also" boxes) are only remembered: pruning them
   changes which container trafilatura picks, so their text is taken out of its
   output instead (unless the same text is also on the page outside them). The
   block with the most paragraph text, and what holds it, is never noise;
2. ``candidates``: trafilatura's main-content extraction on the tree, reader
   comments left out (its fast mode; its full cascade where the fast result is
   unsure: short against the page's densest paragraph block, one block); when
   the story goes on in further containers like the one it took it from (same
   tag and class, same <article>: a body split by ads), their text is added;
3. ``lines``: its blocks as paragraphs (``<lb>`` ends one, list items and table rows
   are paragraphs of their own), then noise by text: the noise blocks' text, the
   headline, a byline at the top, placeholders the page repeats, timestamp lines,
   share labels, calls to subscribe, copyright and e-mail lines, box headings,
   "Source:" lines; cut at a subscribers-only notice or at "Related"/"Top
   stories" past the middle;
4. ``jsonld``: the JSON-LD ``articleBody``, where the page has one that holds what
   was found: paragraphs mostly not in it are dropped, and when it is much longer,
   the page's paragraphs it holds are taken instead;
5. the page's densest block (``body.extract_body``) when trafilatura found little,
   and that block holds it and twice as much.
6. ``embedded``: client-rendered pages (Next.js, Nuxt) whose story is only in the
   data for their scripts (``__NEXT_DATA__``, the App Router's flight payload, JSON
   scripts, ``window.__INITIAL_STATE__``): its longest prose string, in the title's
   script, when it holds at least twice what the DOM gave.

The vocabulary of noise (furniture class names, hidden styles, link density, "read
also" labels) is ``extraction.noise``, shared with the site extractor.

``RULES`` names every rule; ``extract_generic(..., disabled=[...])`` switches some
off, which is how bench/extraction.py --generic --ablate measures each.

``extractor`` assembles the stages (``generic_body``, ``extract_generic``, ``RULES``);
this package file imports none of its modules.
"""
