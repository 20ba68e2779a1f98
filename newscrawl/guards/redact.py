"""No secrets in logs: passwords in URLs, auth headers and secret-named settings.

Scrapy logs every overridden setting at start-up (``-s NEWSCRAWL_REDIS_URL=redis://:pw@host``
would print the password), feed URIs when it stores them (``ftp://user:pw@host/...``),
and request details at DEBUG. The :class:`RedactSecrets` extension (first in
EXTENSIONS, so it is in place before Scrapy logs the settings) installs a log record
factory that rewrites every record of the process through :func:`redact`:

>>> redact("redis://:s3cret@cache:6379/0 and http://bob:hunter2@proxy:3128")
'redis://:***@cache:6379/0 and http://bob:***@proxy:3128'
>>> redact("{'AWS_SECRET_ACCESS_KEY': 'abc', 'PROXY_PASSWORD': 'x', 'USER_AGENT': 'ua'}")
"{'AWS_SECRET_ACCESS_KEY': '***', 'PROXY_PASSWORD': '***', 'USER_AGENT': 'ua'}"
>>> redact("Proxy-Authorization: Basic Ym9iOmh1bnRlcjI=")
'Proxy-Authorization: ***'

The run report holds paths and counts only; its strings go through :func:`redact` too
when they come from stats (the exit reason may quote an error message).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from scrapy.crawler import Crawler

# scheme://user:password@ -> scheme://user:***@ (the user name is kept: it is no secret)
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@'\"<>]*):([^\s@/'\"<>]+)@")
_AUTH_HEADER = re.compile(
    r"(?i)((?:proxy-)?authorization['\"]?\s*[:=]\s*[\[(]?\s*(?:b?['\"])?)"
    r"(?:(?:basic|bearer|digest|token)\s+)?[^\s'\"\],)]+"
)
_SECRET_SETTING = re.compile(
    r"""(?i)(['"]?\b[A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|"""
    r"""PRIVATE_?KEY|CREDENTIALS?)[A-Z0-9_]*\b['"]?\s*[:=]\s*)(['"])(?:(?!\2).)*\2"""
)


def redact(text: str) -> str:
    """``text`` without the secrets it may carry (see the module doc)."""
    if "@" in text:
        text = _URL_PASSWORD.sub(r"\1:***@", text)
    if "uthorization" in text or "UTHORIZATION" in text:
        text = _AUTH_HEADER.sub(r"\1***", text)
    return _SECRET_SETTING.sub(r"\1\2***\2", text)


def redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:
        return
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))


def _lowest_taker(name: str) -> int:
    """The lowest level a handler on the way of a record of logger ``name`` writes
    (Python's last-resort handler's, WARNING, when none is). Formatting every record
    to redact it costs ~3 ms a scraped item at DEBUG (Scrapy's "Scraped from" holds the
    whole item), on the reactor thread, even when no handler writes DEBUG."""
    logger: logging.Logger | None = logging.getLogger(name) if name else logging.getLogger()
    levels = []
    while logger is not None:
        levels += [handler.level for handler in logger.handlers]
        logger = logger.parent if logger.propagate else None
    return min(levels) if levels else logging.WARNING


_installed = False


def install() -> None:
    """Route every log record of this process through :func:`redact` (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if record.levelno >= _lowest_taker(record.name):  # else never written: no cost
            _redact_record(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


class RedactSecrets:
    """Extension: installs the redacting log record factory when the crawler starts."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedactSecrets:
        install()
        return cls()
