"""Grounding: a reply may only state order ids, item ids, tracking numbers, amounts, dates, order
statuses and durations that appear in the facts it was written from. Checked sentence by sentence,
so a streamed reply can be cut at the first unsupported claim."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

STATUSES = ("pending", "processed", "delivered", "cancelled", "canceled", "return requested",
            "exchange requested", "item modified", "shipped", "refunded", "in transit", "out for delivery")
MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
PATTERNS = {
    "order_id": re.compile(r"#?W\d{7}\b", re.I),
    "long_id": re.compile(r"\b\d{9,14}\b"),
    "money": re.compile(r"\$\s?\d[\d,]*(?:\.\d+)?|\b\d[\d,]*\.\d{2}\b"),
    "date": re.compile(rf"\b{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b", re.I),
    "duration": re.compile(r"\b\d+\s*(?:-|to)?\s*\d*\s*(?:business\s+)?(?:days?|weeks?|months?|hours?|years?)\b", re.I),
    "percent": re.compile(r"\b\d+(?:\.\d+)?\s?%"),
    "number": re.compile(r"\b\d{2,}\b"),
}
STATUS_RE = re.compile(r"\b(" + "|".join(re.escape(s) for s in STATUSES) + r")\b", re.I)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
# Prompt scaffolding a small model tends to echo back; never shown to a shopper.
SCAFFOLDING = re.compile(r"FACTS:|REFERENCE ANSWER|The customer wrote|what I wrote|\bdraft\b|<[A-Z_]+_\d+>|"
                         r"\[[A-Z_]+_?\d*\]|\bas an AI\b", re.I)
NEGATION = re.compile(r"\b(not|no|don't|doesn't|didn't|isn't|aren't|wasn't|can't|cannot|unable|unfortunately|"
                      r"sorry|never|won't|none)\b", re.I)
CIVIL = set("""a an the and or but so to of in on at for with by from as is are was were be been being it its
this that these those i you we they he she me my your our their us them yes no not please thanks thank sure
here there can could would will shall may might do does did have has had help happy glad let know if any
anything else just also now today right away okay ok hi hello welcome great good more about what which who
how when where why check see find look looking below above following details order orders item items""".split())
WORD = re.compile(r"[a-z][a-z'-]{2,}")


def _stem(word: str) -> str:
    for suffix in ("'s", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def support_ratio(sentence: str, vocabulary: set[str]) -> float:
    """Share of a sentence's content words found in the facts (stemmed); 1.0 when it has few."""
    words = [_stem(w) for w in WORD.findall(sentence.lower()) if w not in CIVIL]
    if len(words) < 3:
        return 1.0
    return sum(w in vocabulary for w in words) / len(words)


def vocabulary(*texts: str) -> set[str]:
    return {_stem(w) for t in texts for w in WORD.findall(t.lower())}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace(",", "").replace("$ ", "$")).strip()


def claims(text: str) -> list[str]:
    """The checkable factual tokens a piece of text states."""
    found: list[str] = []
    for kind, pattern in PATTERNS.items():
        for m in pattern.finditer(text):
            token = m.group(0)
            if kind == "order_id":
                token = "#W" + re.sub(r"\D", "", token)
            found.append(token)
    found += [m.group(1) for m in STATUS_RE.finditer(text)]
    return found


def _digits_of(token: str) -> str:
    return re.sub(r"[^\d.]", "", token).rstrip(".")


@dataclass
class Facts:
    """Everything a reply may rely on, as text."""

    texts: list[str] = field(default_factory=list)

    def add(self, *texts: str) -> None:
        self.texts.extend(t for t in texts if t)

    def supports(self, token: str) -> bool:
        corpus = _norm(" \n ".join(self.texts))
        t = _norm(token)
        if t in corpus:
            return True
        digits = _digits_of(t)
        if digits and re.search(r"(?<![\d.])" + re.escape(digits) + r"(?![\d])", corpus.replace("$", "")):
            return True
        if digits.endswith(".00") and re.search(r"(?<![\d.])" + re.escape(digits[:-3]) + r"(?![\d.])", corpus):
            return True
        return False


@dataclass
class Verdict:
    ok: bool
    unsupported: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


MIN_SUPPORT = 0.6


def _negation_flip(sentence: str, draft: str) -> bool:
    """A negation the draft does not make: a small model often inverts the facts."""
    return bool(draft) and bool(NEGATION.search(sentence)) and not NEGATION.search(draft)


def check(reply: str, facts: Facts, required: list[str] | tuple[str, ...] = (),
          context: str = "", draft: str = "") -> Verdict:
    """Every claim supported, every required fact present, no echoed prompt, and each sentence's
    wording mostly drawn from the facts (a small model otherwise drifts into invented content)."""
    unsupported = [c for c in claims(reply) if not facts.supports(c)]
    if SCAFFOLDING.search(reply):
        unsupported.append("echoed prompt")
    vocab = vocabulary(*facts.texts, context)
    unsupported += [f"off-topic: {s.strip()[:60]}" for s in SENTENCE_END.split(reply)
                    if support_ratio(s, vocab) < MIN_SUPPORT]
    if _negation_flip(reply, draft):
        unsupported.append("negation not in the facts")
    low = _norm(reply)
    missing = [r for r in required if _norm(r) not in low]
    return Verdict(not unsupported and not missing and bool(reply.strip()), unsupported, missing)


class SentenceGate:
    """Releases streamed text sentence by sentence while every sentence is grounded."""

    def __init__(self, facts: Facts, emit, context: str = "",  # type: ignore[no-untyped-def]
                 transform=lambda text: text, draft: str = "") -> None:
        """`transform` maps a raw sentence to what the shopper would see (pseudonyms restored)."""
        self.transform = transform
        self.draft = draft
        self.facts = facts
        self.vocab = vocabulary(*facts.texts, context)
        self.emit = emit
        self.buffer = ""
        self.released = ""
        self.failed: list[str] = []

    def feed(self, piece: str) -> bool:
        """False once an unsupported claim appears (the caller stops the stream)."""
        self.buffer += piece
        parts = SENTENCE_END.split(self.buffer)
        for sentence in parts[:-1]:
            if not self._release(sentence + " "):
                return False
        self.buffer = parts[-1]
        return True

    def finish(self) -> bool:
        if self.buffer.strip():
            ok = self._release(self.buffer)
            self.buffer = ""
            return ok
        return not self.failed

    def _release(self, sentence: str) -> bool:
        sentence = self.transform(sentence)
        bad = [c for c in claims(sentence) if not self.facts.supports(c)]
        if SCAFFOLDING.search(sentence):
            bad.append("echoed prompt")
        if support_ratio(sentence, self.vocab) < MIN_SUPPORT:
            bad.append(f"off-topic: {sentence.strip()[:60]}")
        if _negation_flip(sentence, self.draft):
            bad.append("negation not in the facts")
        if bad:
            self.failed = bad
            return False
        self.released += sentence
        self.emit(sentence)
        return True
