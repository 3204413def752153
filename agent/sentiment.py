"""Sentiment of a shopper message: VADER (a lexicon shipped in the package, no download) with a
few retail-service terms added, since VADER's general lexicon misses complaint vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# Valence on VADER's scale (-4..4) for words shoppers use when things go wrong.
RETAIL_LEXICON = {
    "ridiculous": -2.5, "unacceptable": -2.8, "useless": -2.5, "scam": -3.0, "ripoff": -2.8,
    "rip-off": -2.8, "refund": -0.3, "late": -1.2, "delayed": -1.2, "broken": -2.0, "damaged": -2.0,
    "missing": -1.5, "wrong": -1.6, "never": -0.8, "nobody": -1.2, "again": -0.4, "furious": -3.2,
    "fed": -0.5, "waste": -2.0, "lawyer": -2.0, "sue": -2.5, "complaint": -1.8, "worst": -3.1,
}


@dataclass(frozen=True)
class Sentiment:
    label: Literal["negative", "neutral", "positive"]
    score: float  # VADER compound, -1..1


class SentimentAnalyzer:
    def __init__(self, negative_below: float = -0.3, positive_above: float = 0.3) -> None:
        self._vader = SentimentIntensityAnalyzer()
        self._vader.lexicon.update(RETAIL_LEXICON)
        self.negative_below = negative_below
        self.positive_above = positive_above

    def __call__(self, text: str) -> Sentiment:
        score = float(self._vader.polarity_scores(text or "")["compound"])
        if score <= self.negative_below:
            return Sentiment("negative", score)
        if score >= self.positive_above:
            return Sentiment("positive", score)
        return Sentiment("neutral", score)
