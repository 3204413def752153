"""Phone numbers, scored by how much they look like one.

Presidio's `PhoneRecognizer` (python-phonenumbers) gives every match the same 0.4. A number
written the way people write phone numbers (`+44 20 7946 0958`, `(212) 555-0187`,
`905-674-3793`) deserves more than a bare run of digits that happens to be valid somewhere,
which is more often an id. The subclass keeps phonenumbers' validation, re-scores, and runs
the matcher only on candidate stretches (first region that finds a number wins) instead of
over the whole text once per region. A second recognizer catches short or foreign layouts
and extensions that phonenumbers does not validate for the configured regions, but only when
the nearest cue word says phone (`privacy.store_ids.number_context`). Dates and clock times
are never phone numbers.
"""

from __future__ import annotations

import phonenumbers
import regex as re
from presidio_analyzer import EntityRecognizer, LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import PhoneRecognizer

from privacy.store_ids import number_context

PHONE_CONTEXT = [
    "phone", "telephone", "tel", "cell", "cellphone", "mobile", "call", "fax", "office",
    "desk", "landline", "whatsapp", "sms", "text", "reach", "contact",
]

_INTL = re.compile(r"^\s*(?:\+|00)\d")
_GROUPED = re.compile(r"^\(?\d{2,4}\)?[\s.\-]\d{2,4}[\s.\-]\d{2,5}(?:[\s.\-]\d{1,5})*$")


_DATE_LIKE = re.compile(
    r"\s*(?:(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"
    r"|(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?:\d{4}|\d{2}))(?:[ T]\d{1,2})?\s*"
)


def date_or_time(text: str, start: int, end: int) -> bool:
    """A digit run that is a date ("2018-01-14 03…", "05/02/2024") or runs into a clock time
    ("… 12:20:39"), not a phone number ("03.93.92.16.85" is not a date)."""
    if re.match(r"\s?:\d{2}", text[end:end + 4]):
        return True
    m = _DATE_LIKE.fullmatch(text[start:end])
    if not m:
        return False
    if m.group("y"):
        return 1 <= int(m.group("m")) <= 12 and 1 <= int(m.group("d")) <= 31
    a, b = int(m.group("a")), int(m.group("b"))
    return 1 <= a <= 31 and 1 <= b <= 31 and min(a, b) <= 12


def phone_score(number: str) -> float:
    """0.75 international, 0.6 grouped with separators, 0.4 (Presidio's default) otherwise."""
    if _INTL.match(number):
        return 0.75
    if _GROUPED.match(number.strip()):
        return 0.6
    return 0.4


class ScoredPhoneRecognizer(PhoneRecognizer):
    """python-phonenumbers matching, with format-aware scores and more regions."""

    REGIONS = ("US", "GB", "DE", "FR", "IT", "ES", "NL", "AU", "IN", "CA", "BR")

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(
            context=PHONE_CONTEXT,
            supported_language=supported_language,
            supported_regions=self.REGIONS,
            leniency=1,
        )

    #: Stretches of text that could hold a phone number: 7+ digits with the separators
    #: phone numbers use, not glued to letters (python-phonenumbers rejects those anyway).
    CANDIDATE = re.compile(
        r"(?<![\p{L}\d])(?:\+|00|\()?\d(?:[\d\s().\-/]|\u00a0){5,30}\d"
        r"(?:\s?(?i:x|ext\.?|extension)\s?\d{1,5})?(?![\p{L}\d])"
    )

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Presidio's PhoneRecognizer runs python-phonenumbers' matcher over the whole text once
        per region (11 scans, a quarter of all detection time). Here the matcher only sees
        the candidate stretches, and stops at the first region that finds a number in one."""
        if "PHONE_NUMBER" not in entities or sum(ch.isdigit() for ch in text) < 7:
            return []
        results: list[RecognizerResult] = []
        for cand in self.CANDIDATE.finditer(text):
            if sum(ch.isdigit() for ch in cand.group()) < 7:
                continue
            lo = max(0, cand.start() - 1)
            window = text[lo: cand.end() + 1]
            for region in self.supported_regions:
                found = list(phonenumbers.PhoneNumberMatcher(window, region, leniency=self.leniency))
                if not found:
                    continue
                for match in found:
                    start, end = lo + match.start, lo + match.end
                    if date_or_time(text, start, end):
                        continue
                    results.append(RecognizerResult(
                        self.supported_entities[0], start, end, phone_score(text[start:end]),
                        analysis_explanation=self._get_analysis_explanation(region),
                        recognition_metadata={
                            RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        },
                    ))
                break
        return EntityRecognizer.remove_duplicates(results)


#: Extension after a number: "x769", "ext. 12", "extension 4".
_EXT = r"(?:\s?(?i:x|ext\.?|extension)\s?\d{1,5})?"
_END = r"(?!\w|-\d|[.,/]\d)"
LAYOUTS = (
    # +46 (0)8 928 571 38, +1-903-140-4508x769, +447700 208 815
    ("international", re.compile(
        rf"(?<![\w+])\+\d{{1,3}}(?:[\s.\-]?\(\d{{1,4}}\))?(?:[\s.\-]?\d{{1,5}}){{2,5}}{_EXT}{_END}"), 0.5, 0.8),
    # 416 60 039, (579)888-3058, 03.93.92.16.85, 21 253 109 8211
    ("grouped digits", re.compile(
        rf"(?<![\w+\-.])(?:\(\d{{2,4}}\)\s?|\d{{2,4}}[\s.\-])\d{{2,6}}(?:[\s.\-]\d{{2,5}}){{0,3}}{_EXT}{_END}"), 0.0, 0.6),
    # 9498777106 (a bare run: an item id unless a phone word is next to it)
    ("bare digits", re.compile(rf"(?<![\w+\-.])\d{{7,15}}{_EXT}{_END}"), 0.0, 0.6),
)


class PhoneLayoutRecognizer(LocalRecognizer):
    """Digit groups laid out like a phone number, scored by the words around them.

    python-phonenumbers only accepts numbers valid for the configured regions; people also
    write short local numbers ("781 1704 office"), foreign layouts and extensions. A layout
    counts when the nearest cue word (`privacy.store_ids.number_context`: "phone", "call",
    "mobile", "fax", or a contact-block label like "Desk:" or a trailing "office") says phone;
    an international "+" number counts on its own with a lower score. Presidio's context
    enhancer cannot do this: it counts suffix words from the first token of the match, so a
    label after a three-group number is never seen.
    """

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(
            supported_entities=["PHONE_NUMBER"],
            supported_language=supported_language,
            name="PhoneLayoutRecognizer",
        )

    def load(self) -> None:  # noqa: D102
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if "PHONE_NUMBER" not in entities or sum(ch.isdigit() for ch in text) < 6:
            return []
        results: list[RecognizerResult] = []
        taken: list[tuple[int, int]] = []
        for _name, rx, plain, cued in LAYOUTS:
            for m in rx.finditer(text):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                digits = sum(ch.isdigit() for ch in m.group())
                if not 6 <= digits <= 17 or date_or_time(text, m.start(), m.end()):
                    continue
                score = cued if number_context(text, m.start(), m.end()) == "phone" else plain
                if score <= 0:
                    continue
                taken.append(m.span())
                results.append(RecognizerResult(
                    "PHONE_NUMBER", m.start(), m.end(), score,
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True,
                    },
                ))
        return results


def phone_layout_recognizer(lang: str) -> PhoneLayoutRecognizer:
    return PhoneLayoutRecognizer(supported_language=lang)
