"""Log lines never carry PII, whatever logger they come from."""

from __future__ import annotations

import io
import logging

from privacy.detector import PiiDetector
from privacy.log_filter import PiiLogFilter, install_log_redaction, looks_clean


def make_logger(name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    logger = logging.getLogger(name)
    logger.handlers[:] = []
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger, stream


def test_message_and_args_are_redacted(detector: PiiDetector) -> None:
    logger, stream = make_logger("privacy.test.args")
    install_log_redaction(logger, detector)
    logger.info("lookup for %s (%s) order %s", "jane.doe@example.com", "Jane Doe", "#W2378156")
    out = stream.getvalue()
    assert "jane.doe@example.com" not in out and "<EMAIL_ADDRESS>" in out
    assert "#W2378156" in out


def test_records_from_child_loggers_are_redacted_by_the_handler_filter(detector: PiiDetector) -> None:
    parent, stream = make_logger("privacy.test.parent")
    install_log_redaction(parent, detector)
    child = logging.getLogger("privacy.test.parent.child")
    child.warning("card 4111 1111 1111 1111 declined")
    assert "4111" not in stream.getvalue()


def test_exception_text_is_redacted(detector: PiiDetector) -> None:
    logger, stream = make_logger("privacy.test.exc")
    install_log_redaction(logger, detector)
    try:
        raise ValueError("no account for jane.doe@example.com")
    except ValueError:
        logger.exception("tool failed")
    assert "jane.doe@example.com" not in stream.getvalue()
    assert "ValueError" in stream.getvalue()


def test_fast_path_skips_plain_short_messages(detector: PiiDetector) -> None:
    assert looks_clean("cache miss for product list", 200)
    assert not looks_clean("cache miss for Jane", 200)
    assert not looks_clean("retry 3", 200)
    filt = PiiLogFilter(detector)
    assert filt.redact("cache miss for product list") == "cache miss for product list"


def test_install_is_idempotent(detector: PiiDetector) -> None:
    logger, _ = make_logger("privacy.test.idem")
    first = install_log_redaction(logger, detector)
    second = install_log_redaction(logger, detector)
    assert first is second
    assert sum(isinstance(f, PiiLogFilter) for f in logger.handlers[0].filters) == 1
