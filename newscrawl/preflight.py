"""What ``scrapy crawl`` checks before the crawler starts, so that a mistake is one
line on stderr and a documented exit code, never a traceback from inside the reactor
(Scrapy builds the spider there, so a ``ValueError`` in ``__init__`` surfaces as an
asyncio traceback and exit 1).

* an unknown spider (the closest name suggested), bad or unknown ``-a`` arguments,
  a missing or malformed ``-a config=`` file: exit 2 (USAGE);
* a state store that cannot be opened (a directory, no permission): exit 2;
* a state store that is corrupt, truncated or empty: exit 10 (STATE_CORRUPT), before
  any request is sent.
"""

from __future__ import annotations

import difflib
import sqlite3
from typing import Any

from scrapy import Spider
from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoaderProtocol, get_spider_loader

from newscrawl import exitcodes
from newscrawl.distributed.config import redis_url
from newscrawl.spiders.base import NewsSpider
from newscrawl.storage.state import SQLiteStore, StateCorruptError


class Refusal(Exception):
    """A run that must not start: the message is the one line to print."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def spider_class(loader: SpiderLoaderProtocol, name: str) -> type[Spider]:
    try:
        return loader.load(name)
    except KeyError:
        known = sorted(loader.list())
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise Refusal(
            f"unknown spider {name!r}{hint}; spiders: {', '.join(known)}", exitcodes.USAGE
        ) from None


def check_command(settings: BaseSettings, name: str, spargs: dict[str, Any]) -> None:
    """``scrapy crawl NAME -a ...``: the spider, its arguments, its state store."""
    spidercls = spider_class(get_spider_loader(settings), name)
    run_settings = settings.copy()
    spidercls.update_settings(run_settings)  # the spider may move the store (custom_settings)
    check_crawl(spidercls, spargs, run_settings)


def check_crawl(spidercls: type[Spider], spargs: dict[str, Any], settings: BaseSettings) -> None:
    """Raise :class:`Refusal` for arguments the spider would refuse or a bad state store."""
    if not issubclass(spidercls, NewsSpider):
        return
    try:
        spidercls.check_arguments(spargs)
    except ValueError as exc:  # ArgumentError, SiteConfigError
        raise Refusal(str(exc), exitcodes.USAGE) from None
    check_state(settings)


def check_state(settings: BaseSettings) -> None:
    """Open and check the SQLite state store the run will use (Redis: its own checks)."""
    if redis_url(settings):
        return
    path = settings.get("NEWSCRAWL_STATE_PATH", ".newscrawl/state.sqlite3")
    try:
        SQLiteStore(path).close()
    except StateCorruptError as exc:
        raise Refusal(str(exc), exitcodes.STATE_CORRUPT) from None
    except RuntimeError as exc:  # a schema this version does not know
        raise Refusal(str(exc), exitcodes.STATE_CORRUPT) from None
    except (OSError, sqlite3.Error) as exc:
        raise Refusal(
            f"NEWSCRAWL_STATE_PATH={path}: cannot open the state store there ({exc})",
            exitcodes.USAGE,
        ) from None
