"""The ``newscrawl`` console command (pyproject ``[project.scripts]``).

``newscrawl crawl arabstoday`` is ``scrapy crawl arabstoday`` with the project's
settings, from any folder: Scrapy finds a project through ``scrapy.cfg`` in the
current folder or above, or through ``SCRAPY_SETTINGS_MODULE``; we set the latter
(unless the user did), so ``extract``, ``state``, ``demo`` and the rest exist
everywhere, and feeds, reports and the state store go under the current folder.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from typing import Any


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")
    from scrapy import cmdline  # after the variable: it reads it on import

    class Parser(cmdline.ScrapyArgumentParser):
        """Scrapy's, with the usage line naming the command the user typed."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            usage = kwargs.get("usage")
            if isinstance(usage, str) and usage.startswith("scrapy "):
                kwargs["usage"] = "newscrawl " + usage.removeprefix("scrapy ")
            super().__init__(*args, **kwargs)

    cmdline.ScrapyArgumentParser = Parser  # type: ignore[misc]
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        cmdline.execute(["newscrawl", *args])
        return
    # No command (or --help): Scrapy's list of commands, said as `newscrawl`.
    listing, code = io.StringIO(), None
    with contextlib.redirect_stdout(listing):
        try:
            cmdline.execute(["newscrawl", *args])
        except SystemExit as done:
            code = done.code  # Scrapy exits after its list (0), or on a bad option (2)
    text = listing.getvalue().replace("scrapy <command>", "newscrawl <command>")
    print(text.replace('"scrapy" to see', '"newscrawl" to see'), end="")
    raise SystemExit(code)


if __name__ == "__main__":
    main()
