"""Keep ID numbers out of the server's logs (defence in depth: the search no longer puts them in URLs).

``IdNumberRedactor`` rewrites any 18-character ID number (17 digits and a digit or X) or 15-digit
old-style number in a log line to its masked form, ``220681********9104``. It is installed on the
loggers that write request lines: Werkzeug's (``flask run``) and gunicorn's access and error logs.
"""

from __future__ import annotations

import logging
import re

ID_NUMBER_RE = re.compile(r"(?<![0-9])([0-9]{6})([0-9]{8})([0-9]{3}[0-9Xx])(?![0-9A-Za-z])|(?<![0-9])([0-9]{6})([0-9]{6})([0-9]{3})(?![0-9])")
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "teachers")


def redact(message: str) -> str:
    def mask(m: re.Match) -> str:
        if m.group(1):
            return m.group(1) + "*" * 8 + m.group(3)
        return m.group(4) + "*" * 6 + m.group(6)

    return ID_NUMBER_RE.sub(mask, message)


class IdNumberRedactor(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record is left for logging itself to report
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


_FILTER = IdNumberRedactor()


def install_log_redaction() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
