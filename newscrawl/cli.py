"""The ``newscrawl`` console command (pyproject ``[project.scripts]``).

``newscrawl crawl arabstoday`` is ``scrapy crawl arabstoday`` with the project's
settings, from any folder: Scrapy finds a project through ``scrapy.cfg`` in the
current folder or above, or through ``SCRAPY_SETTINGS_MODULE``; we set the latter
(unless the user did), so ``extract``, ``state``, ``demo`` and the rest exist
everywhere, and feeds, reports and the state store go under the current folder.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")
    from scrapy.cmdline import execute  # after the variable: it reads it on import

    args = list(sys.argv[1:] if argv is None else argv)
    execute(["newscrawl", *args])


if __name__ == "__main__":
    main()
