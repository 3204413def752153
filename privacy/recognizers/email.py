"""Presidio's email recognizer, made fully offline.

`presidio_analyzer.predefined_recognizers.EmailRecognizer.validate_result` calls the module
level `tldextract.extract`, whose default extractor downloads the public-suffix list on first
use (and writes a cache under ~/.cache). The subclass validates with an extractor that has no
suffix-list URLs, so it only ever uses the snapshot bundled in the tldextract wheel.
"""

from __future__ import annotations

from functools import lru_cache

import tldextract
from presidio_analyzer.predefined_recognizers import EmailRecognizer


@lru_cache(maxsize=1)
def offline_tld_extractor() -> tldextract.TLDExtract:
    """The bundled public-suffix snapshot; no network, no cache directory."""
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


class OfflineEmailRecognizer(EmailRecognizer):
    """EmailRecognizer whose TLD check never touches the network."""

    def validate_result(self, pattern_text: str) -> bool:  # noqa: D102
        return offline_tld_extractor()(pattern_text).fqdn != ""
