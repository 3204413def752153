"""One spelling for quantities, on both the document and the query side: '1 liter', '1L' and
'1000 ml' are the same capacity ('1000ml'), '32 GB' and '32GB' the same storage ('32gb').
Hand-written: a dozen units; a units library would parse more than a shopper types."""

from __future__ import annotations

import re

# unit spelling -> (canonical unit, factor)
_UNITS: dict[str, tuple[str, float]] = {
    "ml": ("ml", 1), "milliliter": ("ml", 1), "milliliters": ("ml", 1), "millilitre": ("ml", 1),
    "millilitres": ("ml", 1),
    "l": ("ml", 1000), "liter": ("ml", 1000), "liters": ("ml", 1000), "litre": ("ml", 1000),
    "litres": ("ml", 1000), "ltr": ("ml", 1000),
    "gb": ("gb", 1), "tb": ("tb", 1), "mah": ("mah", 1), "mp": ("mp", 1), "megapixel": ("mp", 1),
    "megapixels": ("mp", 1),
    "inch": ("inch", 1), "inches": ("inch", 1), '"': ("inch", 1),  # not "in": 'size 10 in black'
    "ft": ("ft", 1), "feet": ("ft", 1), "foot": ("ft", 1),
    "mm": ("mm", 1), "cm": ("cm", 1), "bar": ("bar", 1), "w": ("w", 1), "watt": ("w", 1),
    "watts": ("w", 1), "hour": ("hour", 1), "hours": ("hour", 1), "hr": ("hour", 1), "hrs": ("hour", 1),
    "degree": ("degree", 1), "degrees": ("degree", 1), "cup": ("cup", 1), "cups": ("cup", 1),
    "oz": ("oz", 1), "lb": ("lb", 1), "lbs": ("lb", 1), "pound": ("lb", 1), "pounds": ("lb", 1),
    "kg": ("kg", 1),
}
_QUANTITY = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*-?\s*("
    + "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
    + r")(?![\w])", re.IGNORECASE)


def canonical_units(text: str) -> str:
    """'1 liter' / '1L' / '1000 ml' -> '1000ml'; '10-inch' / '10 inches' -> '10inch'."""
    def one(m: re.Match[str]) -> str:
        unit, factor = _UNITS[m.group(2).lower()]
        value = float(m.group(1)) * factor
        number = f"{value:g}" if value < 1e6 else str(int(value))
        return f"{number}{unit}"
    return _QUANTITY.sub(one, text)


def unit_aliases(text: str) -> str:
    """The canonical spellings of the quantities in `text` ('' if none), for the BM25 text of a
    document, so that a query for '1 liter' finds a '1L' kettle by its words too."""
    return " ".join(canonical_units(m.group(0)) for m in _QUANTITY.finditer(text))
