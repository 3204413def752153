"""Person names that the small spaCy model misses or mislabels.

`en_core_web_sm` finds common English names but often tags foreign names as ORG, GPE or
nothing. This recognizer reuses the spaCy parse Presidio already ran (the `NlpArtifacts`
tokens, so no second pass) and reports a run of capitalised proper-noun tokens as PERSON when
a strong cue says it is a name: an honorific ("Mrs."), "my name is", "I am", "Dear", "Name:",
"signed", or the run is the subject of a verb people do ("X lives at", "X listed"). Hand-written
because Presidio's context words only raise the score of an existing match; they cannot
propose a span.
"""

from __future__ import annotations

from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.tokens import Doc, Token

HONORIFICS = {
    "mr", "mrs", "ms", "mx", "miss", "dr", "prof", "sir", "dame", "madam", "mme", "mlle",
    "herr", "frau", "sr", "sra", "sig", "signora", "monsieur", "madame",
}
# Words right before a name that make it a name: "my name is X", "I am X", "Dear X".
LEFT_CUES = (
    ("name", "is"), ("name", "was"), ("name", ":"), ("names", "are"), ("i", "am"), ("i", "'m"),
    ("this", "is"), ("it", "'s"), ("dear",), ("hi",), ("hello",), ("hey",), ("thanks",),
    ("regards", ","), ("sincerely", ","), ("signed",), ("from", ":"), ("contact", ":"),
    ("customer", ":"), ("recipient", ":"), ("attn", ":"), ("attention", ":"), ("by",),
    ("with",), ("called",), ("named",), ("to",), ("for",), ("cc",), ("and",), ("client",),
    ("patient",), ("husband",), ("wife",), ("son",), ("daughter",), ("friend",), ("mother",),
    ("father",), ("brother",), ("sister",), ("colleague",), ("manager",), ("call", "me"),
    ("name", "?"), ("by", ":"), ("starring",), ("kid",), ("child",), ("at",), ("of",),
    ("founders", ":"), ("meet",), ("ask",), ("tell",), ("thank",),
)
STRONG_CUES = {
    ("name", "is"), ("name", "was"), ("name", ":"), ("names", "are"), ("i", "am"), ("i", "'m"),
    ("dear",), ("signed",), ("regards", ","), ("sincerely", ","), ("attn", ":"),
    ("attention", ":"), ("recipient", ":"), ("customer", ":"), ("called",), ("named",),
}
# Verbs whose subject is usually a person.
PERSON_VERBS = {
    "live", "say", "tell", "ask", "give", "list", "write", "call", "email", "want", "need",
    "shout", "begin", "reply", "answer", "smile", "laugh", "cry", "yell", "whisper", "die",
    "order", "buy", "pay", "move", "visit", "meet", "send", "born", "marry", "work", "sing",
    "play", "direct", "star", "lead", "complain", "request", "sign", "receive", "return",
    "think", "feel", "know", "like", "love", "hate", "come", "go", "arrive", "leave",
}
#: Field labels that look like speaker labels ("Address:") but are not names.
FIELD_LABELS = {
    "name", "address", "phone", "email", "e-mail", "website", "fax", "mobile", "desk", "office",
    "note", "notes", "subject", "date", "time", "re", "fw", "fwd", "to", "from", "cc", "bcc",
    "order", "item", "tracking", "total", "price", "zip", "city", "state", "country", "q", "a",
    "user", "bot", "agent", "customer", "support", "answer", "question", "where", "when",
}


def _is_name_token(tok: Token) -> bool:
    t = tok.text
    if not t or not t[0].isupper() or tok.like_num or tok.pos_ == "PRON" or t == "I":
        return False
    if t.endswith(("Error", "Exception", "Warning")):
        return False  # ValueError: ... in a traceback is not a speaker
    if len(t) <= 2 and t.endswith("."):
        return True  # initial "D."
    if len(t) == 1:
        return t.isalpha()  # initial without a dot
    letters = t.replace("-", "").replace("'", "").replace("’", "")
    if not letters.isalpha():
        return False
    if t.isupper() and len(t) > 3:
        return False  # shouting or an acronym, not a name
    return tok.pos_ in ("PROPN", "NOUN", "ADJ", "X") or tok.ent_type_ != ""


class ProperNameRecognizer(LocalRecognizer):
    """PERSON from capitalised proper-noun runs with a person cue (see module docstring)."""

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(
            supported_entities=["PERSON"],
            supported_language=supported_language,
            name="ProperNameRecognizer",
        )

    def load(self) -> None:  # noqa: D102
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if nlp_artifacts is None or "PERSON" not in entities:
            return []
        doc: Doc = nlp_artifacts.tokens
        results: list[RecognizerResult] = []
        i = 0
        n = len(doc)
        while i < n:
            if not _is_name_token(doc[i]):
                i += 1
                continue
            j = i
            while j < n and _is_name_token(doc[j]) and doc[j].whitespace_ != "\n" and j - i < 5:
                j += 1
                if doc[j - 1].text.endswith("\n"):
                    break
            score = self._score(doc, i, j)
            if score > 0:
                start = doc[i].idx
                end = doc[j - 1].idx + len(doc[j - 1].text)
                results.append(self._result(start, end, score))
            i = j
        return results

    def _score(self, doc: Doc, i: int, j: int) -> float:
        span_toks = [t.text.lower().rstrip(".") for t in doc[i:j]]
        if span_toks and span_toks[0] in HONORIFICS:
            return 0.0  # the run starts with the honorific; handled when it is the cue
        proper = all(t.pos_ == "PROPN" or (len(t.text) <= 2 and t.text[0].isupper()) for t in doc[i:j])
        prev = [t.lower_ for t in doc[max(0, i - 2): i] if not t.is_space]
        if prev and prev[-1].rstrip(".") in HONORIFICS:
            return 0.9
        for cue in LEFT_CUES:
            if tuple(prev[-len(cue):]) == cue:
                if cue in STRONG_CUES:
                    return 0.9
                return 0.5 if proper else 0.0
        if not proper:
            return 0.0
        nxt = next((t for t in doc[j: j + 2] if not t.is_space), None)
        if nxt is None:
            return 0.0
        # "Zak shouted at", "Trivo lives on": subject of a verb people do.
        if nxt.pos_ in ("VERB", "AUX") and nxt.lemma_.lower() in PERSON_VERBS:
            return 0.6
        # "Alice: ..." at the start of a line (a speaker label), not a field label.
        line_start = i == 0 or "\n" in doc[i - 1].text_with_ws or doc[i - 1].text in (">", "-", "*")
        if nxt.text == ":" and line_start and span_toks[-1] not in FIELD_LABELS and j - i <= 3:
            return 0.6
        return 0.0

    def _result(self, start: int, end: int, score: float) -> RecognizerResult:
        return RecognizerResult(
            entity_type="PERSON",
            start=start,
            end=end,
            score=score,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )
