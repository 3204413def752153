"""Retail recognizers: street addresses, zip codes, gift-card and loyalty numbers, titles, ages.

All are Presidio `PatternRecognizer`s: a regex gives a base score and Presidio's context
enhancer lifts weak matches when a context word ("zip", "gift card", "ship to") is near.
Patterns that are ambiguous on their own (a bare 5-digit number, a digit run) start below the
analyzer threshold, so they are only reported with context.

These recognizers are case-sensitive (no IGNORECASE): capitalisation is most of what tells a
street name or a person's title from ordinary words; case-insensitive parts use `(?i:...)`.
"""

from __future__ import annotations

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer

CASE_SENSITIVE = re.DOTALL | re.MULTILINE

# A word of a street or place name: any script, may carry apostrophes, dots, hyphens.
_W = r"\p{L}[\p{L}\p{M}'’.\-]*"
_CAPW = r"\p{Lu}[\p{L}\p{M}'’.\-]*"
_PLACEW = r"\p{Lu}[\p{L}\p{M}'’\-]*"  # no dots: a tail never runs past a full stop
_NUM = r"\d{1,6}[A-Za-z]?"
# Unambiguous street words match in any case; words that are also everyday English ("close",
# "way", "run", "place") only when capitalised.
_EN_SUFFIX = (
    r"(?:(?i:street|avenue|road|boulevard|blvd|parkway|pkwy|highway|hwy|lane|drive|terrace"
    r"|crescent|expressway|freeway|turnpike|causeway|esplanade|promenade|broadway|alley)"
    r"|St|Ave|Rd|Dr|Ln|Ct|Court|Way|Place|Pl|Ter|Circle|Cir|Square|Sq|Trail|Trl|Cres|Close"
    r"|Row|Plaza|Gardens|Grove|Heights|Walk|Loop|Path|Pike|Ridge|Run|Mews|Quay|Wharf"
    r"|Extensions?|Coves?|Squares|Streets|Courts|Gateway|Centre|Center)"
)
# Street-type words written before the name (Romance, Slavic, etc.).
_EU_PREFIX = (
    r"(?:Via|Viale|Vicolo|Piazza|Piazzale|Corso|Largo|Strada|Rua|Avenida|Av\.|Travessa|Calle"
    r"|Carrer|Camino|Paseo|Plaza|Rue|Avenue|Boulevard|Chemin|Allée|Impasse|Quai|ul\.|ulica"
    r"|al\.|Aleja|Calea|Aleea|Bulevardul|Odos|Leoforos|Utca)"
)
# Street-type endings of compound names (Germanic, Nordic, Finnish, Hungarian, Dutch).
_EU_SUFFIX = (
    r"(?i:stra(?:ss|ß)e|str\.|weg|gasse|allee|platz|ring|damm|ufer|steig|laan|straat|plein"
    r"|gracht|kade|singel|dreef|vej|gade|stræde|alle|väg|vägen|gatan|gata|gate|gaten|veien"
    r"|vegen|katu|tie|kuja|polku|utca|út|útja|tér|sor|u\.)"
)
_UNIT = r"(?:(?i:apt|apartment|suite|ste|unit|flat|room|floor|fl)\.?\s*#?\s*\d{1,5}[A-Za-z]?)"

_STREET = (
    rf"(?:"
    # 12 Main Street / 704 1436 Redbud Drive / 1737 Cheriton Dr
    rf"{_NUM}(?:\s+\d{{1,5}})?\s+(?:{_W}\s+){{0,3}}{_W}\s+{_EN_SUFFIX}\b\.?"
    # (12) Via dei Fiorentini 17 / ul. Chrzanowska 61
    rf"|(?:{_NUM}\s+)?{_EU_PREFIX}\s+(?:{_W}\s+){{0,3}}\d{{1,5}}[A-Za-z]?\b\.?"
    rf"|{_NUM},?\s+{_EU_PREFIX}\s+(?:(?:de|del|des|du|da|do|dos|das|di|dei|della|la|le|l')\s*)?{_CAPW}(?:\s+{_CAPW}){{0,2}}"
    # (450) Asselsestraat 7 / Villacher Strasse 89 / Wesselényi u. 94.
    rf"|(?:{_NUM}\s+)?(?:{_CAPW}\s+)?\p{{L}}*{_EU_SUFFIX}\s+\d{{1,5}}[A-Za-z]?\b\.?"
    rf")"
)
# Building number, capitalised name, house number: "50066 Rooseveltlaan 110", "0138 Brisas 6802".
_NUM_NAME_NUM = rf"{_NUM}\s+(?:{_CAPW}\s+){{1,3}}\d{{1,5}}[A-Za-z]?\b\.?"
_PO_BOX = (
    r"(?:(?i:p\.?\s?o\.?\s*box|post office box|psc|unit)\s+\d{1,6}"
    r"(?:,?\s*(?i:box)\s+\d{1,6})?(?:\s*\n?\s*(?:APO|FPO|DPO)\s+A[AEP]\s+\d{5})?)"
)
# What may follow a street line: a unit, then up to four ", City" / "\n State" / " 12345" parts.
_SEP = r"(?:[ \t]*[,\n][ \t>]*|[ \t]+)"
_PLACE = rf"(?:{_PLACEW}(?:[ \t]+{_PLACEW}){{0,3}}|[A-Z]{{2,3}}\b)"
_POSTCODE = r"(?:\d{4,5}(?:-\d{3,4})?|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b"
_TAIL = rf"(?:{_SEP}{_UNIT})?(?:{_SEP}(?:{_PLACE}|{_POSTCODE})){{0,5}}"

ADDRESS_CONTEXT = [
    "address", "live", "lives", "living", "ship", "shipping", "deliver", "delivery", "send",
    "sent", "mail", "located", "location", "meet", "moved", "move", "street", "billing",
    "residence", "home", "office", "drop", "pick", "return", "house", "apartment", "corner",
]


def street_address_recognizer(lang: str) -> PatternRecognizer:
    """Street lines with their unit, city, region and postcode when they follow."""
    return PatternRecognizer(
        supported_entity="STREET_ADDRESS",
        name="StreetAddressRecognizer",
        supported_language=lang,
        patterns=[
            Pattern("street with type word", rf"(?<![\w#])(?:{_STREET}){_TAIL}", 0.6),
            Pattern("po box", rf"(?<![\w#]){_PO_BOX}{_TAIL}", 0.6),
            Pattern("number name number + unit", rf"(?<![\w#]){_NUM_NAME_NUM}{_SEP}{_UNIT}{_TAIL}", 0.6),
            Pattern("number name number", rf"(?<![\w#]){_NUM_NAME_NUM}{_TAIL}", 0.3),
            Pattern("unit", rf"(?<![\w#]){_UNIT}\b", 0.4),
        ],
        context=ADDRESS_CONTEXT,
        global_regex_flags=CASE_SENSITIVE,
    )


def zip_code_recognizer(lang: str) -> PatternRecognizer:
    """Postcodes are plain numbers: only reported next to a zip/postal context word."""
    return PatternRecognizer(
        supported_entity="ZIP_CODE",
        name="ZipCodeRecognizer",
        supported_language=lang,
        patterns=[
            Pattern("us zip", r"(?<![\w#$.,])\d{5}(?:-\d{4})?\b(?![.,]\d)", 0.1),
            Pattern("4-digit / pt postcode", r"(?<![\w#$.,])\d{4}(?:-\d{3})?\b(?![.,]\d)", 0.05),
            Pattern("uk postcode", r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b", 0.3),
        ],
        context=["zip", "zipcode", "postal", "postcode", "post code", "zip code"],
        global_regex_flags=CASE_SENSITIVE,
    )


def gift_card_recognizer(lang: str) -> PatternRecognizer:
    """Gift-card numbers and claim codes, next to gift-card wording."""
    return PatternRecognizer(
        supported_entity="GIFT_CARD",
        name="GiftCardRecognizer",
        supported_language=lang,
        patterns=[
            Pattern("grouped code", r"\b[A-Z0-9]{4}(?:[- ][A-Z0-9]{4}){2,4}\b", 0.3),
            Pattern("digits", r"(?<![\w#])\d{12,19}\b", 0.1),
            Pattern("alnum code", r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{10,20}\b", 0.1),
        ],
        context=["gift", "giftcard", "voucher", "redeem", "claim", "pin", "store credit"],
        global_regex_flags=CASE_SENSITIVE,
    )


def loyalty_number_recognizer(lang: str) -> PatternRecognizer:
    """Loyalty / rewards membership numbers, next to loyalty wording."""
    return PatternRecognizer(
        supported_entity="LOYALTY_NUMBER",
        name="LoyaltyNumberRecognizer",
        supported_language=lang,
        patterns=[Pattern("member number", r"(?<![\w#])(?:[A-Z]{2,4}-?)?\d{6,12}\b", 0.05)],
        context=["loyalty", "rewards", "reward", "member", "membership", "points", "club"],
        global_regex_flags=CASE_SENSITIVE,
    )


def title_recognizer(lang: str) -> PatternRecognizer:
    """Honorifics in front of a capitalised name."""
    return PatternRecognizer(
        supported_entity="TITLE",
        name="TitleRecognizer",
        supported_language=lang,
        patterns=[
            Pattern(
                "honorific",
                r"\b(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Sir|Dame|Rev|Madam|Mme|Mlle|Herr|Frau)\b\.?"
                r"(?=\s+\p{Lu})",
                0.6,
            )
        ],
        global_regex_flags=CASE_SENSITIVE,
    )


def age_recognizer(lang: str) -> PatternRecognizer:
    """Ages: "34 year old", "aged 34", "age: 34"."""
    return PatternRecognizer(
        supported_entity="AGE",
        name="AgeRecognizer",
        supported_language=lang,
        patterns=[
            Pattern("n year old", r"\b\d{1,3}(?=[\s-]*(?i:years?|yrs?)[\s-]*(?i:old)\b)", 0.6),
            Pattern("aged n", r"(?<=\b(?i:aged?)\s*:?\s*)\d{1,3}\b", 0.5),
            Pattern("n y/o", r"\b\d{1,3}(?=\s*(?i:y/o|yo)\b)", 0.5),
        ],
        global_regex_flags=CASE_SENSITIVE,
    )
