"""Text normalisation shared by the slot extractors: lower case, units glued to their numbers
("2 liters" → "2l", "13-inch" → "13inch"), hyphens as spaces, "n't" as " not"."""

from __future__ import annotations

import re

_UNITS = {
    "ml": "ml", "milliliter": "ml", "milliliters": "ml", "millilitre": "ml", "millilitres": "ml",
    "l": "l", "liter": "l", "liters": "l", "litre": "l", "litres": "l", "ltr": "l",
    "inch": "inch", "inches": "inch", '"': "inch", "ft": "ft", "feet": "ft", "foot": "ft",
    "mm": "mm", "gb": "gb", "tb": "tb", "mah": "mah", "mp": "mp", "megapixel": "mp", "megapixels": "mp",
    "bar": "bar", "lb": "lb", "lbs": "lb", "pound": "lb", "pounds": "lb", "hour": "hour", "hours": "hour",
    "hr": "hour", "hrs": "hour", "h": "hour", "w": "w", "watt": "w", "watts": "w", "cup": "cup", "cups": "cup",
    "x": "x", "%": "%", "percent": "%", "degree": "degree", "degrees": "degree", "piece": "piece",
    "pieces": "piece", "k": "k", "p": "p",
}
_UNIT_RE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*-?\s*(" + "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
    + r")(?![\w])", re.IGNORECASE)
_TOKEN_RE = re.compile(r"\d+(?:\.\d+)?[a-z%]*|[a-z]+[a-z0-9]*(?:'[a-z]+)?|%")


def normalize(text: str) -> str:
    """Canonical lower-case form used for matching catalog names and option values."""
    t = text.lower().replace("’", "'")
    t = re.sub(r"n't\b", " not", t)
    t = re.sub(r"\bcan not\b", "cannot", t)
    t = _UNIT_RE.sub(lambda m: m.group(1) + _UNITS[m.group(2).lower()], t)
    t = re.sub(r"(?<=[a-z])-(?=[a-z0-9])|(?<=[0-9])-(?=[a-z])", " ", t)
    return t


def tokens(text: str) -> list[str]:
    """Normalised tokens."""
    return _TOKEN_RE.findall(normalize(text))


ALL_ITEMS = re.compile(r"\b(?:all\s+(?:of\s+)?(?:them|it|the\s+items|items|the\s+products|those|these|three|"
                       r"two|four|five)|everything|both(?:\s+of\s+them|\s+items)?|the\s+(?:whole|entire)\s+"
                       r"order|entire\s+order|every\s+item)\b", re.IGNORECASE)
