"""A logging filter that keeps PII out of every log line.

Installed on a logger *and its handlers* (a filter on a logger does not see records that
propagate from child loggers; a filter on a handler sees all of them). The record's message is
formatted (`msg % args`), redacted with type labels (`<EMAIL_ADDRESS>`; logs never get the
conversation's pseudonym numbering, so the map cannot be rebuilt from them), and stored back
with `args` cleared. Exception text is redacted too.

Fast path: most log lines are short and plainly free of PII ("cache miss", "GET /health 200").
A short message with no digit, no "@" and no capitalised word after its first word skips the
NLP pass; everything else goes through the full detector.
"""

from __future__ import annotations

import logging
import re
import threading

from privacy.config import DETECTED_ENTITY_TYPES, RedactionPolicy
from privacy.detector import PiiDetector

_CAPITALISED_LATER = re.compile(r"\s[^\W\d_a-z][\w'-]")
_local = threading.local()

#: Logs get stricter treatment than the LLM: everything but dates and ages is replaced.
LOG_POLICY = RedactionPolicy(redact_types=frozenset(DETECTED_ENTITY_TYPES) - {"DATE_TIME", "AGE"})


def looks_clean(message: str, fast_path_chars: int) -> bool:
    """True when a short message cannot contain what the detector looks for."""
    if len(message) > fast_path_chars:
        return False
    if "@" in message or any(ch.isdigit() for ch in message):
        return False
    if not message.isascii():
        return False
    return _CAPITALISED_LATER.search(message) is None


class PiiLogFilter(logging.Filter):
    """Redacts PII from each record's message and args (never drops a record)."""

    def __init__(
        self,
        detector: PiiDetector,
        policy: RedactionPolicy | None = None,
        fast_path_chars: int = 200,
    ) -> None:
        super().__init__()
        self._detector = detector
        self._policy = policy or LOG_POLICY
        self._fast = fast_path_chars

    def redact(self, message: str) -> str:
        if not message or looks_clean(message, self._fast):
            return message
        dets = [d for d in self._detector.detect(message) if self._policy.should_redact(d.entity_type, d.score)]
        if not dets:
            return message
        out, last = [], 0
        for d in dets:
            out += [message[last : d.start], f"<{d.entity_type}>"]
            last = d.end
        out.append(message[last:])
        return "".join(out)

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(_local, "busy", False):
            return True  # a log line emitted while redacting (Presidio's own logging)
        _local.busy = True
        try:
            try:
                message = record.getMessage()
            except Exception:  # a broken format string: keep what we can, redacted
                message = f"{record.msg} {record.args}"
            record.msg = self.redact(message)
            record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = self.redact(record.exc_text)
                record.exc_info = None
        finally:
            _local.busy = False
        return True


def install_log_redaction(
    logger: logging.Logger | None = None,
    detector: PiiDetector | None = None,
    policy: RedactionPolicy | None = None,
) -> PiiLogFilter:
    """Attach one `PiiLogFilter` to `logger` (root by default) and each of its handlers.
    Idempotent; handlers added later need `handler.addFilter(filter)` with the returned one."""
    logger = logger or logging.getLogger()
    existing = next((f for f in logger.filters if isinstance(f, PiiLogFilter)), None)
    filt = existing or PiiLogFilter(detector or PiiDetector.default(), policy)
    if existing is None:
        logger.addFilter(filt)
    for handler in logger.handlers:
        if not any(isinstance(f, PiiLogFilter) for f in handler.filters):
            handler.addFilter(filt)
    return filt
