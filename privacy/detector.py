"""PII detection: the one place that calls the Presidio analyzer.

`PiiDetector.detect` cleans the input, lets Presidio's `CharacterBasedTextChunker` cut long
text into segments (a 100 kB paste is analysed piecewise instead of as one spaCy doc), drops
the store's identifiers through Presidio's regex allow list, and resolves overlaps between
entity types so every character is claimed by at most one detection.
"""

from __future__ import annotations

import re
import threading

import regex
from collections import OrderedDict
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine, PatternRecognizer, RecognizerResult
from presidio_analyzer.chunkers import CharacterBasedTextChunker

from privacy.config import PrivacyConfig
from privacy.engine import build_analyzer
from privacy.recognizers.name_lexicon import name_lexicon
from privacy.store_ids import allow_list, store_id_spans
from privacy.text_input import clean_text


@dataclass(frozen=True, slots=True)
class Detection:
    """One detected entity; offsets are into the cleaned input text."""

    entity_type: str
    start: int
    end: int
    score: float
    text: str

    def as_dict(self) -> dict:
        return {"type": self.entity_type, "start": self.start, "end": self.end,
                "score": round(self.score, 3)}


class PiiDetector:
    """Finds every PII entity type the analyzer knows; redaction is decided elsewhere."""

    def __init__(self, config: PrivacyConfig | None = None, analyzer: AnalyzerEngine | None = None):
        self.config = config or PrivacyConfig()
        self.analyzer = analyzer or build_analyzer(self.config)
        self._allow = allow_list(self.config.extra_allow_patterns, self.config.allow_terms)
        self._chunker = CharacterBasedTextChunker(
            chunk_size=self.config.max_segment_chars, chunk_overlap=200
        )
        self._batch = BatchAnalyzerEngine(self.analyzer)
        self._cache: OrderedDict[str, tuple[Detection, ...]] = OrderedDict()
        self._cache_lock = threading.Lock()

    #: Recent texts and their detections (texts without `known` values only). Chat turns are
    #: scrubbed more than once (the turn, then the transcript, then the log line) and the
    #: same log messages repeat; a hit costs a dict lookup instead of a spaCy pass.
    CACHE_SIZE = 1024

    def clear_cache(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    def _cached(self, text: str) -> list[Detection] | None:
        with self._cache_lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return list(hit)
        return None

    def _remember(self, text: str, found: list[Detection]) -> list[Detection]:
        if len(text) <= 20_000:
            with self._cache_lock:
                self._cache[text] = tuple(found)
                if len(self._cache) > self.CACHE_SIZE:
                    self._cache.popitem(last=False)
        return found

    @classmethod
    def default(cls) -> "PiiDetector":
        return cls(PrivacyConfig())

    @property
    def tokenizer(self):
        """The spaCy tokenizer of the loaded model (used by the benchmark's scorer)."""
        return self.analyzer.nlp_engine.get_nlp(self.config.language).tokenizer

    def _kwargs(self) -> dict:
        return {
            "language": self.config.language,
            "allow_list": self._allow,
            "allow_list_match": "regex",
            "score_threshold": self.config.score_threshold,
        }

    def _analyze(self, text: str, ad_hoc: list[PatternRecognizer] | None = None) -> list[RecognizerResult]:
        return self.analyzer.analyze(text=text, ad_hoc_recognizers=ad_hoc or None, **self._kwargs())

    def detect(
        self, text: str | bytes | None, known: Mapping[str, Iterable[str]] | None = None
    ) -> list[Detection]:
        """Detections in `clean_text(text)`, sorted by position, non-overlapping.

        `known` maps entity types to values already known to be PII in this conversation
        (the shopper's own name, email, address from their profile or earlier turns); they
        are found by exact match even where the statistical model would miss them, through
        Presidio deny-list recognizers passed ad hoc.
        """
        text = clean_text(text)[: self.config.max_input_chars]
        if not text.strip():
            return []
        ad_hoc = known_value_recognizers(known, self.config.language)
        if not ad_hoc and (hit := self._cached(text)) is not None:
            return hit
        if len(text) <= self.config.max_segment_chars:
            results = self._analyze(text, ad_hoc)
        else:
            results = self._chunker.predict_with_chunking(text, lambda t: self._analyze(t, ad_hoc))
        found = _finalise(text, results)
        return found if ad_hoc else self._remember(text, found)

    def detect_batch(self, texts: Sequence[str | bytes | None], batch_size: int = 32) -> list[list[Detection]]:
        """Like `detect` for many texts, running spaCy over them with `nlp.pipe`."""
        cleaned = [clean_text(t)[: self.config.max_input_chars] for t in texts]
        out: list[list[Detection] | None] = [None] * len(cleaned)
        short = [i for i, t in enumerate(cleaned) if t.strip() and len(t) <= self.config.max_segment_chars]
        for i, t in enumerate(cleaned):
            if not t.strip():
                out[i] = []
            elif len(t) > self.config.max_segment_chars:
                out[i] = self.detect(t)
            elif (hit := self._cached(t)) is not None:
                out[i] = hit
        short = [i for i in short if out[i] is None]
        if short:
            results = self._batch.analyze_iterator(
                [cleaned[i] for i in short], batch_size=batch_size, **self._kwargs()
            )
            for i, res in zip(short, results):
                out[i] = self._remember(cleaned[i], _finalise(cleaned[i], res))
        return [o or [] for o in out]


def known_value_recognizers(
    known: Mapping[str, Iterable[str]] | None, language: str = "en"
) -> list[PatternRecognizer]:
    """One Presidio deny-list recognizer per entity type for values known to be PII."""
    out = []
    for entity_type, values in (known or {}).items():
        words = sorted({v.strip() for v in values if v and len(v.strip()) >= 3}, key=len, reverse=True)
        if words:
            out.append(PatternRecognizer(
                supported_entity=entity_type, deny_list=words, deny_list_score=0.99,
                supported_language=language, name=f"Known{entity_type.title().replace('_', '')}",
            ))
    return out


#: An address block contains a city (LOCATION), a postcode (ZIP_CODE), sometimes a building
#: name spaCy calls ORGANIZATION or a "date" that is a house number: the block wins.
COMPOSITE_TYPES = frozenset({"STREET_ADDRESS"})
ABSORBABLE_TYPES = frozenset({"LOCATION", "ORGANIZATION", "NRP", "DATE_TIME", "ZIP_CODE", "PERSON"})


def _drop_store_ids(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Store identifiers are never scrubbed, not even inside a larger detection ("Tracking
    357962501027" as one DATE span); and where a pattern recognizer matched exactly the span
    spaCy labelled ("05/02/2024" as a LOCATION), the pattern's type is kept."""
    ids = store_id_spans(text)
    if ids:
        results = [r for r in results if not any(r.start < e and s < r.end for s, e in ids)]
    pattern_spans = {(r.start, r.end) for r in results if _recognizer(r) not in NER_RECOGNIZERS}
    return [r for r in results
            if _recognizer(r) not in NER_RECOGNIZERS or (r.start, r.end) not in pattern_spans]


_DATE_ANCHOR = re.compile(
    r"\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b"
    r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b",
    re.IGNORECASE,
)
_DURATION = re.compile(r"^(?:about |over |almost )?\d+\+?\s*(?:years?|months?|weeks?|days?|hours?)$", re.I)
#: Words for kinds of PII that spaCy tags as organisations ("my SSN", "the IBAN").
NON_ENTITIES = {"ssn", "iban", "zip", "pin", "cvv", "id", "dob", "atm", "pdf", "faq", "url", "ip"}


def _worth_reporting(value: str, entity_type: str) -> bool:
    """Hand-written filters for spaCy's noise: relative dates and durations ("last night",
    "8+ years") are not personal data; only dates with a number, month or weekday are.
    Acronyms for kinds of PII are not entities."""
    if entity_type == "DATE_TIME":
        return bool(_DATE_ANCHOR.search(value)) and not _DURATION.match(value.strip())
    if entity_type in WEAK_TYPES | {"LOCATION", "PERSON"} and value.strip().casefold() in NON_ENTITIES:
        return False
    if entity_type == "PERSON" and re.fullmatch(r"[A-Z]{2,4}", value.strip()):
        return False  # "RGB", "USB", "NYC": an acronym, not a person
    return True


def _plain_words(value: str, r: RecognizerResult) -> bool:
    """A PERSON only spaCy or a weak cue found, made of everyday words and no name: a title
    ("Guilty Pleasures"), a capitalised word ("Supposed To Hate"), not "Will Price"."""
    if r.entity_type != "PERSON" or (_recognizer(r) not in NER_RECOGNIZERS and r.score >= 0.6):
        return False
    words = re.findall(r"[^\W\d_]+", value)
    lex = name_lexicon()
    return bool(words) and all(lex.plain_word(w) for w in words)


#: Product colours the small spaCy model calls people or places ("Rose Gold", "Black"): in a
#: shop's chat they are not personal data when only spaCy or a weak cue says so (a strong
#: cue such as "Mr. Green" still makes a name).
COLOURS = frozenset({
    "black", "white", "silver", "gold", "rose gold", "space gray", "space grey", "midnight",
    "blue", "navy", "red", "green", "yellow", "pink", "purple", "orange", "brown", "beige",
    "grey", "gray", "charcoal", "ivory", "teal", "coral", "graphite", "starlight", "olive",
    "burgundy", "cream", "khaki", "lavender", "maroon", "mint", "turquoise",
})


def _spacy_colour(text: str, r: RecognizerResult) -> bool:
    """A colour that only spaCy or a weak cue ("Silver and Rose Gold") calls an entity."""
    return (_recognizer(r) in NER_RECOGNIZERS or r.score < 0.6) and \
        text[r.start:r.end].strip().casefold() in COLOURS


#: spaCy labels the small model often gives to a name it does not know.
CONFUSABLE_WITH_NAMES = frozenset({"ORGANIZATION", "LOCATION", "NRP", "DATE_TIME"})


def _meta(name: str) -> dict:
    return {RecognizerResult.RECOGNIZER_NAME_KEY: name}


def _repeat_mentions(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """One sense per discourse: once a name is found as PERSON, its other mentions in the same
    text (the full name, or its capitalised parts) are the same person, also where spaCy
    called that mention an organisation or a place ("… calls me Christine" as ORG)."""
    names = {text[r.start:r.end] for r in results if r.entity_type == "PERSON" and r.score >= 0.5}
    if not names:
        return []
    parts = set(names)
    for n in names:
        parts.update(w for w in re.findall(r"[^\W\d_][\w'-]{2,}", n) if w[0].isupper())
    taken = [(r.start, r.end, r.entity_type, r.score) for r in results]
    extra: list[RecognizerResult] = []
    for part in sorted(parts, key=len, reverse=True):
        for m in re.finditer(rf"(?<![\w]){re.escape(part)}(?![\w])", text):
            clash = [t for t in taken if m.start() < t[1] and t[0] < m.end()]
            if any(t[2] == "PERSON" or t[2] not in CONFUSABLE_WITH_NAMES for t in clash):
                continue
            if any(not (m.start() <= t[0] and t[1] <= m.end() + 2) for t in clash):
                continue  # the other label covers more than the name ("Ström's Cautionary Tales")
            score = max([0.55] + [t[3] + 0.01 for t in clash])
            taken.append((m.start(), m.end(), "PERSON", score))
            extra.append(RecognizerResult("PERSON", m.start(), m.end(), score, recognition_metadata=_meta("RepeatMention")))
    return extra


_LIST_ITEM = r"\p{Lu}[\p{L}\p{M}'’\-]+(?:[ ]\p{Lu}[\p{L}\p{M}'’\-]+)?"
_NAME_LIST = regex.compile(rf"(?<![\w])(?:{_LIST_ITEM},[ ]){{1,8}}{_LIST_ITEM},?[ ](?:and|or|&)[ ]{_LIST_ITEM}(?![\w])"
                           rf"|(?<![\w]){_LIST_ITEM}[ ](?:and|&)[ ]{_LIST_ITEM}(?![\w])")
_LIST_ITEM_RX = regex.compile(_LIST_ITEM)


def _names_by_lexicon(items: list[str]) -> bool:
    """Most items of a list are known names (or half of them, the others rare words: "Torpy
    and Salinas"), and they are not mostly everyday words: "Šušulić, Bowman and White",
    "Dale and White", not "Black, White and Grey" (surnames
    too, but colours first) nor "Nike and Adidas"."""
    lex = name_lexicon()
    words = [item.split()[-1] for item in items]
    known = [w for w in words if lex.is_given(w) or lex.is_surname(w)]
    if len(known) * 3 < len(words) * 2:
        # Half known is enough when those are surnames and the rest rare words ("Torpy and
        # Salinas"), not a given name beside a brand ("Nike and Adidas").
        rest_rare = all(lex.rare(w) for w in words if w not in known)
        if not (rest_rare and len(known) * 2 >= len(words) and all(lex.is_surname(w) for w in known)):
            return False
    plain_names = [w for w in known if not lex.everyday(w)]
    return bool(plain_names) and (len(known) < len(words) or len(plain_names) * 2 >= len(words))


_BEFORE_A_FIRM = regex.compile(r"(?:\b(?:from|at|of|for|in|to|into|join|joined|joining|with)|[.,]|\p{Lu}\w*'s)\s*$",
                               regex.IGNORECASE)


def _after_company_word(text: str, start: int) -> bool:
    """A list of surnames after "from", "at", "of", "Oneal's"… is more often a firm ("works
    at Hawkins, Richardson and Santana") than people."""
    return bool(_BEFORE_A_FIRM.search(text[max(0, start - 30):start]))


_CONJUNCTION = regex.compile(r"^\s*(?:,|and|or|&|,\s*and|,\s*or)\s*$", regex.IGNORECASE)


def _brands_beside_brands(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """A single word spaCy alone calls a person, that no name list knows, coordinated with
    something spaCy calls an organisation, is a brand like its neighbour ("the Nike and
    Adidas running shoes"): relabelled ORGANIZATION, which the default policy keeps."""
    lex = name_lexicon()
    orgs = [r for r in results if r.entity_type == "ORGANIZATION"]
    out = []
    for r in results:
        value = text[r.start:r.end]
        if (r.entity_type == "PERSON" and _recognizer(r) in NER_RECOGNIZERS and " " not in value.strip()
                and not (lex.is_listed(value) or lex.is_surname(value)) and any(
                    _CONJUNCTION.match(text[min(o.end, r.end):max(o.start, r.start)]) for o in orgs)):
            r = RecognizerResult("ORGANIZATION", r.start, r.end, r.score,
                                 analysis_explanation=r.analysis_explanation,
                                 recognition_metadata=r.recognition_metadata)
        out.append(r)
    return out


def _coordinated_names(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Names in a list are all names: "Kónya, Becker and Vasquez", "Torpy and Salinas". When
    one item of a coordinated list of capitalised words is a PERSON, or most items are names
    by the name lexicon, all of them are (where spaCy called them an organisation or a place,
    or nothing)."""
    # Seeds are confident names only: a weak "X and Y" cue, or spaCy calling one brand of a
    # list a person ("Nike and Adidas"), must not make a list of brands into names.
    persons = [r for r in results if r.entity_type == "PERSON" and r.score >= 0.6
               and (_recognizer(r) not in NER_RECOGNIZERS or " " in text[r.start:r.end].strip())]
    extra: list[RecognizerResult] = []
    for lst in _NAME_LIST.finditer(text):
        items = [m for m in _LIST_ITEM_RX.finditer(text, lst.start(), lst.end())]
        spans = [(m.start(), m.end()) for m in items]
        seeded = any(any(p.start <= s and e <= p.end for p in persons) for s, e in spans)
        if not seeded and (_after_company_word(text, lst.start())
                           or not _names_by_lexicon([m.group() for m in items])):
            continue
        for s, e in spans:
            clash = [r for r in results if s < r.end and r.start < e]
            if any(r.entity_type == "PERSON" or r.entity_type not in CONFUSABLE_WITH_NAMES for r in clash):
                continue
            if any(r.start < s or r.end > e for r in clash):
                continue
            score = max([0.6] + [r.score + 0.01 for r in clash])
            extra.append(RecognizerResult("PERSON", s, e, score, recognition_metadata=_meta("CoordinatedName")))
    return extra


def _split_lines(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """spaCy's small model runs entities over line breaks ("Olga Krylova\nCable line installer",
    "Alberico Rizzo\n>Barnett"); a name, organisation or place ends at the line's end. Only
    the first line of such an entity is kept, without surrounding blanks."""
    out = []
    for r in results:
        if _recognizer(r) in NER_RECOGNIZERS:
            value = text[r.start:r.end]
            first = value.split("\n", 1)[0]
            stripped = first.strip(" \t>*-")
            if not stripped:
                continue
            start = r.start + first.index(stripped)
            if (start, start + len(stripped)) != (r.start, r.end):
                r = RecognizerResult(r.entity_type, start, start + len(stripped), r.score,
                                     analysis_explanation=r.analysis_explanation,
                                     recognition_metadata=r.recognition_metadata)
        out.append(r)
    return out


#: Role words spaCy folds into a PERSON span ("Producer James Sparks", "ex-Beatle Paul"): not
#: part of the name.
ROLE_WORDS = frozenset({
    "producer", "director", "manager", "president", "ceo", "cto", "cfo", "chairman", "senator",
    "officer", "captain", "coach", "judge", "agent", "detective", "sergeant", "singer",
    "songwriter", "author", "writer", "editor", "chef", "nurse", "customer", "client",
    "professor", "doctor", "governor", "mayor", "minister", "reporter", "player", "actor",
    "actress", "artist", "guitarist", "drummer", "founder", "owner", "driver", "courier",
})


def _strip_roles(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    out = []
    for r in results:
        if r.entity_type == "PERSON":
            value = text[r.start:r.end]
            words = value.split(" ")
            k = 0
            while k < len(words) - 1 and (words[k].casefold() in ROLE_WORDS
                                          or words[k].casefold().startswith(("ex-", "former"))):
                k += 1
            if k:
                start = r.start + len(" ".join(words[:k])) + 1
                r = RecognizerResult("PERSON", start, r.end, r.score, analysis_explanation=r.analysis_explanation,
                                     recognition_metadata=r.recognition_metadata)
        out.append(r)
    return out


def _merge_same_type(results: list[RecognizerResult], entity_type: str) -> list[RecognizerResult]:
    """Overlapping detections of one type are one entity ("Cormac Allan" by a cue, "Allan" by
    spaCy; "2006-04-07 09:00:27" and its date part): report their union."""
    same = sorted((r for r in results if r.entity_type == entity_type), key=lambda r: r.start)
    if len(same) < 2:
        return results
    merged: list[RecognizerResult] = []
    for r in same:
        if merged and r.start < merged[-1].end:
            m = merged[-1]
            merged[-1] = RecognizerResult(entity_type, m.start, max(m.end, r.end), max(m.score, r.score),
                                          recognition_metadata=m.recognition_metadata)
        else:
            merged.append(r)
    return [r for r in results if r.entity_type != entity_type] + merged


def _recognizer(r: RecognizerResult) -> str:
    return (r.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_NAME_KEY, "")


NER_RECOGNIZERS = frozenset({"SpacyRecognizer"})

#: NER types that are mostly harmless and often wrong on numbers ("zip 80279" as a DATE):
#: any other detection overlapping them wins, whatever the scores.
WEAK_TYPES = frozenset({"DATE_TIME", "NRP", "ORGANIZATION"})


def _trim(text: str, r: RecognizerResult, outer: RecognizerResult) -> RecognizerResult | None:
    """`r` without the part `outer` covers, when what is left is a whole word or more."""
    if outer.start <= r.start and r.end <= outer.end:
        return None
    if r.start < outer.start < r.end <= outer.end:
        start, end = r.start, outer.start
    elif outer.start <= r.start < outer.end < r.end:
        start, end = outer.end, r.end
    else:
        return None  # the outer span sits inside r: r is not a part of it
    value = text[start:end]
    start += len(value) - len(value.lstrip(" \t\n,;>"))
    end -= len(value) - len(value.rstrip(" \t\n,;>"))
    if end - start < 2 or not any(ch.isalnum() for ch in text[start:end]):
        return None
    if (start > 0 and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
        return None  # it would cut a word
    return RecognizerResult(r.entity_type, start, end, r.score, recognition_metadata=r.recognition_metadata)


def _finalise(text: str, results: Iterable[RecognizerResult]) -> list[Detection]:
    """Resolve overlaps between types: strong types beat weak ones, then the higher score
    wins, then the longer span; an address block absorbs the places inside it.

    Presidio removes same-type duplicates but leaves cross-type overlaps to the anonymizer;
    a shopper-facing redaction needs one answer per character.
    """
    results = _drop_store_ids(text, list(results))
    results = _split_lines(text, results)
    results = _strip_roles(text, results)
    results = [r for r in results
               if _worth_reporting(text[r.start:r.end], r.entity_type) and not _spacy_colour(text, r)
               and not _plain_words(text[r.start:r.end], r)]
    results = _brands_beside_brands(text, results)
    results = _merge_same_type(results, "PERSON")
    results = _merge_same_type(results, "DATE_TIME")
    results += _repeat_mentions(text, results)
    results += _coordinated_names(text, results)
    results = _merge_same_type(results, "STREET_ADDRESS")
    ranked = sorted(
        results,
        key=lambda r: (r.entity_type in WEAK_TYPES, -r.score, -(r.end - r.start), r.start),
    )
    kept: list[RecognizerResult] = []
    for r in ranked:
        if r.end <= r.start:
            continue
        clashes = [k for k in kept if r.start < k.end and k.start < r.end]
        if clashes and r.entity_type in COMPOSITE_TYPES and all(
            k.entity_type in ABSORBABLE_TYPES for k in clashes
        ):
            # The whole address beats its parts; a name that runs into it ("Jennifer
            # Alcaraz Suite" before "Suite 541 6343 Skogstien 106") keeps its outside part.
            kept = [k for k in kept if k not in clashes]
            kept += [t for k in clashes if (t := _trim(text, k, r)) is not None]
        elif clashes and r.entity_type in ABSORBABLE_TYPES and all(
            k.entity_type in COMPOSITE_TYPES for k in clashes
        ):
            for k in clashes:
                r = _trim(text, r, k) if r is not None else None
            if r is None:
                continue
        elif clashes:
            continue
        kept.append(r)
    kept.sort(key=lambda r: r.start)
    return [Detection(r.entity_type, r.start, r.end, float(r.score), text[r.start : r.end]) for r in kept]
