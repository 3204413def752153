"""Cities and countries named after a travel or residence cue.

The small spaCy model calls many foreign towns a PERSON or an ORGANIZATION ("flew to
Bessastaðahreppur", "based in NAANTALI", "moved here from Tjæreborg"). After a phrase that
only takes a place — "flew to", "travelling to", "moved (here) from/to", "grew up in", "born
in", "based in", "originally from", "home city", "live in", "I'm in", "arrived at",
"returned to … by", "coming to" — a capitalised run (or an all-caps word, as towns are often
written) is reported as LOCATION with a score above spaCy's, so the cue decides.
"""

from __future__ import annotations

import regex as re
from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

_CUE = (
    r"(?i:\b(?:(?:flew|fly|flying|flies|travel(?:l?ing|l?ed|s)?|moved(?:\s+here)?|moving"
    r"|relocat(?:ed|ing)|grew\s+up|born|raised|based|originally|lives?|living|lived|i\s+am"
    r"|i'm|we\s+are|we're|currently|arrived|arriving|returned|coming|going|headed|heading"
    r"|stationed|located|settled|emigrated|immigrated)\s+(?:to|from|in|at|back\s+to|out\s+of)"
    r"|visiting|home\s+(?:city|town)(?:\s+of)?|hometown(?:\s+of)?))\s+"
)
_WORD = r"(?:\p{Lu}[\p{L}\p{M}'’\-]*)"
_PLACE = rf"(?P<place>{_WORD}(?:[ ](?:(?:de|da|do|dos|del|della|di|la|le|les|sur|am|an|upon|of|y|en|aan|bei)[ ])?{_WORD}){{0,3}})"
_RX = re.compile(rf"{_CUE}(?:the\s+)?{_PLACE}(?![\p{{L}}\d])")

#: Words that follow these cues but are not places ("I'm in Sales", "coming to Support").
NOT_PLACES = {"i", "sales", "support", "charge", "love", "trouble", "stock", "time", "touch",
              "the", "a", "an", "my", "your", "our", "it", "this", "that", "bed", "town",
              "english", "spanish", "french", "german", "monday", "tuesday", "wednesday",
              "thursday", "friday", "saturday", "sunday", "january", "february", "march",
              "april", "may", "june", "july", "august", "september", "october", "november",
              "december", "order", "item", "mr", "mrs", "ms", "dr"}


class PlaceCueRecognizer(LocalRecognizer):
    """LOCATION after a phrase that only takes a place (module docstring)."""

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(supported_entities=["LOCATION"], supported_language=supported_language,
                         name="PlaceCueRecognizer")

    def load(self) -> None:  # noqa: D102
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if "LOCATION" not in entities:
            return []
        out = []
        for m in _RX.finditer(text):
            place = m.group("place")
            words = place.split()
            keep = 0
            for k, w in enumerate(words):  # "Lyon Monday": stop at a word that is not a place
                if w.casefold().rstrip(".") in NOT_PLACES:
                    break
                keep = k + 1
            while keep and words[keep - 1].islower():
                keep -= 1  # never end on a particle
            if not keep:
                continue
            end = m.start("place") + len(" ".join(words[:keep]))
            out.append(RecognizerResult(
                "LOCATION", m.start("place"), end, 0.9,
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True,
                },
            ))
        return out
