"""Street addresses: a street line, then whatever unit, city, region, country and postcode
lines follow it, reported as one STREET_ADDRESS (one pseudonym per address).

A street line is one of

* number + name + street type: `986 Sunset Drive`, `124 67 Devon Street West` (the street
  types are the usual English ones plus the USPS suffix words that are not everyday words);
* street-type prefix + name + number: `Via dei Fiorentini 17`, `ul. Jesionowa 127`,
  `C/ Señores Curas 88`, `26 rue des Lieutenants Thomazo`;
* a compound with a street-type ending + number: `Pohlstrasse 9`, `Hersnapvej 18`,
  `Trenerys gate 232`, `Király u. 15.`;
* a PO box or a military address (`PSC 3294, Box 9168 / APO AA 61487`, `USNS Sekerková / FPO
  AA 65728`);
* number + name + number (`50066 Rooseveltlaan 110`), name + number (`Pod Floriánem 1677`),
  an intersection (`the corner of Beiteveien 2 and Sieda Radial`), which are only taken
  with something else that says "address": a unit or a postcode line after them, or a cue
  right before them ("lives on", "my address is", "ship to", "meet me at", "corner of").

Patterns are case-sensitive (capitals are most of what tells a street name from ordinary
words); a text with no capital letter at all is matched by a case-insensitive twin whose
tails only continue over commas and line breaks, so "ship it to 88 queen street, apt 4,
toronto" works without swallowing the rest of a lower-case sentence.
"""

from __future__ import annotations

import regex as re
from presidio_analyzer import LocalRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from privacy.recognizers.casing import is_lower_case

FLAGS = re.DOTALL | re.MULTILINE

# ---------------------------------------------------------------- building blocks
_L = r"[\p{L}\p{M}]"
# A capitalised word of a street or place name (any script; apostrophes, inner dots,
# hyphens); all-caps words count ("OULU", "ΑΓΛΑΝΤΖΙΑ").
_CAPW = r"\p{Lu}[\p{L}\p{M}'’\-]*\.?"
_CAPW_NODOT = r"\p{Lu}[\p{L}\p{M}'’\-]*"
# Lower-case particles inside names: "Via dei Fiorentini", "Črni Vrh nad Idrijo".
_PART = (
    r"(?:de|del|della|delle|dei|degli|di|da|do|dos|das|du|des|la|le|les|los|las|l'|d'|van|von"
    r"|der|den|ter|ten|y|e|i|am|an|auf|im|nad|pod|na|u|z|ze|al|el|bin|of|the|on|upon|sur"
    r"|sous|en|aan|op|bei|zum|zur|og|och|á|í)"
)
_ORD = r"\d{1,3}(?:st|nd|rd|th)"
_NUM = r"\d{1,6}[A-Za-z]?(?:-\d{1,4})?"
_HOUSE = r"\d{1,5}[A-Za-z]?(?:[/\-]\d{1,4})?\.?"
_NAMEW = rf"(?:{_CAPW}|{_ORD}|{_PART})"

# Street types written after the name. Unambiguous ones match in any case; everyday words
# ("Close", "Way", "Row", "Park") only capitalised.
_EN_SUFFIX_ANYCASE = (
    r"street|str|avenue|ave|av|road|rd|boulevard|blvd|lane|ln|drive|drv|terrace|terr|crescent"
    r"|parkway|pkwy|highway|hwy|expressway|expy|freeway|fwy|turnpike|tpke|causeway|esplanade"
    r"|promenade|broadway|alley|aly|plaza|plz|square|sq|circle|cir|boul|bypass|byp"
    r"|motorway|mews|quay|wharf"
)
_EN_SUFFIX_CAP = (
    r"St|Ave|Rd|Dr|Ln|Ct|Court|Courts|Way|Place|Pl|Ter|Trail|Trl|Cres|Close|Row|Gardens|Gdns"
    r"|Grove|Heights|Hts|Walk|Loop|Path|Pike|Ridge|Run|Extension|Extensions|Squares|Streets"
    r"|Gateway|Route|Rte|Crossing|Xing|Junction|Jct|Parade|Strand|Embankment|Terrace|Lanes"
    r"|Roads|Drives|Circles|Walks|Ways|Stravenue|Throughway|Trafficway|Turnpike|Skyway|Ramp"
    r"|Crescent|Boulevard|Avenue|Road|Street|Lane|Drive"
)
#: Street types that are also everyday words or landmarks ("3 Blue Mountain coffee bags",
#: "2 Wall Mounts"): a street line ending in one of them needs more evidence (a unit or a
#: postcode after it, an address cue before it, or Presidio's address context words).
_LANDMARK_SUFFIX = (
    r"(?:Hill|Hills|Centre|Center|Estates|Greens|Green|Flats|Harbor|Harbour|Haven|Radial"
    r"|Union|Unions|Pass|Passage|Mall|Forge|Forges|Fields|Field|Park|Parks|Point|Points|Meadow"
    r"|Meadows|Valley|Valleys|Village|Villages|Station|Springs|Spring|Shore|Shores|Island"
    r"|Islands|Isle|Knoll|Knolls|Landing|Lake|Lakes|Manor|Manors|Mill|Mills|Mission|Orchard"
    r"|Oval|Overpass|Port|Ports|Prairie|Ranch|Rapids|Spur|Summit|Trace|Track|Tunnel|Underpass"
    r"|Viaduct|View|Views|Vista|Well|Wells|Creek|Crest|Dale|Dam|Divide|Ford|Fords|Forest|Fork"
    r"|Forks|Fort|Glen|Glens|Hollow|Inlet|Lights|Lodge|Mount|Mountain|Mountains|Burg|Burgs"
    r"|Branch|Bridge|Bridges|Brook|Brooks|Bluff|Bluffs|Bottom|Bend|Beach|Canyon|Cape|Cliff"
    r"|Cliffs|Commons|Common|Corners|Curve|Ferry|Flat|Annex|Arcade|Bayou|Cove|Coves|Falls"
    r"|Garden|Keys|Locks|Neck|Pines|Plains|Rest|Shoal|Shoals|Stream|Trailer|Vale|Ville|Wall"
    r"|Loaf|Light|Lock|Key|Club|Camp|Crossroad|Divide)\b\.?"
)
_EN_SUFFIX = rf"(?:(?i:{_EN_SUFFIX_ANYCASE})\b\.?|(?:{_EN_SUFFIX_CAP})\b\.?)"
_ANY_SUFFIX = rf"(?:{_EN_SUFFIX}|{_LANDMARK_SUFFIX})"
_DIRECTION = r"(?:North|South|East|West|N|S|E|W|NE|NW|SE|SW|Nord|Sud|Süd|Est|Ouest|Ost)\b\.?"

# Street types written before the name (Romance, Slavic, Greek, Hungarian, Baltic, …).
#: Prefixes that are never everyday English words match in any case, and the name after
#: them may have lower-case words ("26 rue des lieutenants Thomazo").
_PREFIX_ANYCASE = (
    r"(?i:rue|rua|rúa|calle|avenida|ulica|ul\.|utca|ulitsa|odos|leoforos|carrer|travessa|praça"
    r"|viale|piazza|piazzale|corso|strada|rambla|jalan|jl\.|bulevardul|aleea|calea)"
)
_PREFIX = (
    r"(?:Via|Viale|Vicolo|Vico|Piazza|Piazzale|Corso|Largo|Strada|Stradale|Contrada|Rua|Avenida"
    r"|Av\.|Avda\.?|Travessa|Praça|Estrada|Rodovia|Calle|C/|Carrer|Camino|Paseo|Passeig"
    r"|Avinguda|Plaza|Plaça|Rambla|Ronda|Travesía|Carretera|Rue|Avenue|Boulevard|Bd\.?|Bld\.?"
    r"|Chemin|Allée|Impasse|Quai|Place|Cours|Route|Sentier|ul\.|ulica|Ulica|al\.|Al\.|Aleja"
    r"|Aleje|os\.|pl\.|Plac|Calea|Aleea|Bulevardul|Bulevard|Strada|Şoseaua|Odos|Odós|Leoforos"
    r"|Leofóros|Ulitsa|Prospekt|Pereulok|Jalan|Jl\.|Soi|Thanon|Rruga|Bulevar|Ulice|Náměstí"
    r"|Trg|Cesta|Ulitsa|Vulytsia|Cite|Cité|Rue\s+d[eu]s?|Rúa)"
)
# Endings of compound street names (Germanic, Nordic, Finnish, Estonian, Hungarian, Dutch…),
# also as a separate word ("Trenerys gate 232", "Király u. 15.").
_EU_SUFFIX_ANYCASE = (
    r"(?i:stra(?:ss|ß)e|strasse|straat|gasse|allee|platz|vej|gade|vägen|gatan|veien|vegen|katu"
    r"|utca|ulica|terrasse|chaussee|steenweg|plein|gracht|kade|tänav|iela|gatve|caddesi|sokak)"
)
_EU_SUFFIX = (
    r"(?:terrasse|stra(?:ss|ß)e|str\.|strasse|weg|gasse|allee|platz|ring|damm|ufer|steig|pfad|chaussee"
    r"|laan|straat|plein|gracht|kade|singel|dreef|hof|vej|gade|stræde|allé|alle|väg|vägen"
    r"|gatan|gata|gate|gaten|veien|vegen|vei|veg|stien|stigen|torget|torg|plads|brekka"
    r"|katu|tie|kuja|polku|kaari|rinne|tee|tänav|puiestee|iela|gatve|utca|út|útja|tér|sor"
    r"|körút|krt\.|rkp\.|rakpart|u\.|sétány|köz|ulica|cesta|trg|sokak|sokağı|caddesi|cad\."
    r"|bulvarı|yolu)"
)
_UNIT_WORD = r"(?:apt|apartment|suite|ste|unit|flat|room|rm|floor|fl|level|lvl|bldg|building|box|no)"
_UNIT = rf"(?:(?i:{_UNIT_WORD})\.?\s*(?:#\s*)?\d{{1,5}}[A-Za-z]?\b|#\s?\d{{1,5}}[A-Za-z]?\b)"

# ---------------------------------------------------------------- street lines
def _en_street(suffix: str) -> str:
    return (
        rf"{_NUM}(?:[ \t]+\d{{1,5}}[A-Za-z]?)?[ \t]+(?:{_NAMEW}[ \t]+){{0,4}}(?:{_CAPW}|{_ORD})[ \t]+"
        rf"{suffix}(?:[ \t]+{_DIRECTION})?"
        # "14 Crown Street Kishiev Squares": a second suffixed name may follow
        rf"(?:[ \t]+{_CAPW}[ \t]+{_ANY_SUFFIX})?"
    )


_EN_STREET = _en_street(_EN_SUFFIX)
_LANDMARK_STREET = _en_street(_LANDMARK_SUFFIX)
_PREFIX_STREET = (
    rf"(?:{_NUM},?[ \t]+){{0,2}}{_PREFIX_ANYCASE}[ \t]+(?:(?:{_NAMEW}|\p{{Ll}}+)[ \t]+){{0,4}}(?:{_CAPW}|{_HOUSE})(?:[ \t]+{_HOUSE})?|"
    rf"(?:{_NUM},?[ \t]+){{0,2}}(?:{_CAPW}[ \t]+)?{_PREFIX}[ \t]+(?:{_NAMEW}[ \t]+){{0,4}}(?:{_CAPW}|\d{{1,3}})(?:[ \t]+{_HOUSE})?"
    rf"|(?:{_NUM},?[ \t]+)?{_PREFIX}[ \t]+(?:{_NAMEW}[ \t]+){{0,4}}{_HOUSE}"
)
_COMPOUND_STREET = (
    # "Pohlstrasse 9", "Hersnapvej 18" (joined) or "Trenerys gate 232", "Passauer Strasse 33",
    # "Király u. 15." (a separate word after a name; never a bare "gate 12")
    rf"(?:{_NUM}[ \t]+)?(?:(?:{_CAPW}[ \t]+){{0,2}}\p{{L}}[\p{{L}}\p{{M}}\-]+{_EU_SUFFIX}"
    rf"|(?:{_CAPW}[ \t]+){{1,2}}(?:{_EU_SUFFIX}|{_EU_SUFFIX_ANYCASE}))[ \t]+{_HOUSE}"
)
_PO_BOX = (
    rf"(?:{_NUM}[ \t]+)?(?:(?i:p\.?\s?o\.?\s*box|post[ \t]+office[ \t]+box|postbox|pobox)[ \t]+\d{{1,6}}"
    rf"|(?i:psc|unit|cmr)[ \t]+\d{{1,6}},?[ \t]+(?i:box)[ \t]+\d{{1,6}}"
    rf"|(?:USNS|USS|USNV|USCGC|usns|uss|usnv)[ \t]+{_CAPW}(?:[ \t]+{_CAPW})?)"
    rf"(?:[\s,]+(?i:apo|fpo|dpo)[ \t]+(?i:aa|ae|ap)[ \t]+\d{{5}})?"
)
_NUM_NAME_NUM = rf"{_NUM}[ \t]+(?:{_NAMEW}[ \t]+){{0,3}}{_CAPW}[ \t]+{_HOUSE}"
_NUM_NAME_NUM_SUFFIX = rf"{_NUM_NAME_NUM}[ \t]+{_EN_SUFFIX}"
_NAME_NUM = rf"(?:{_NAMEW}[ \t]+){{0,3}}{_CAPW}[ \t]+{_HOUSE}"

# ---------------------------------------------------------------- what follows a street line
_SEP = r"(?:(?:[ \t]*[,\n][ \t]*(?:[>?*•\-]+[ \t]*)?)+|[ \t]+)"
_SEP_STRONG = r"(?:[ \t]*[,\n][ \t]*(?:[>?*•\-]+[ \t]*)?)+"
_POSTCODE = (
    r"(?:\d{5}(?:-\d{4})?|\d{4}(?:-\d{3})?|\d{2}-\d{3}|\d{3}\s\d{2}|\d{6}"
    r"|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|\d{4}\s?[A-Z]{2})\b"
    r"(?![ \t]?[\d(+]|[\-.]\d)"  # not the first groups of a phone number on the next line
)
_PLACE_WORD = rf"(?:{_CAPW_NODOT}(?![\d])(?:\s?\([^()\n]{{1,40}}\))?)"
_PLACE = (
    rf"(?:(?!(?i:{_UNIT_WORD}|phone|mobile|fax|desk|office|email|e-mail|tel|website|name|"
    rf"please|thanks|thank|and|or|the|for|to|from)\b){_PLACE_WORD}"
    rf"(?:[ \t]+(?:{_PART}[ \t]+)?{_PLACE_WORD}){{0,3}}(?![\p{{L}}:])"
    rf"|[A-Z]{{2,3}}\b(?!:)"
    rf"|(?i:[a-z]{{2,3}})[ \t]+{_POSTCODE})"
)
_TAIL = rf"(?:{_SEP}{_UNIT})*(?:{_SEP}(?:{_PLACE}|{_POSTCODE}|{_UNIT})){{0,6}}"
_TAIL_LOWER = rf"(?:{_SEP}{_UNIT})*(?:{_SEP_STRONG}(?:{_PLACE}|{_POSTCODE}|{_UNIT})|[ \t]+{_POSTCODE}){{0,6}}"
_LEAD = rf"(?:{_UNIT}[ \t,]+)?"

_STRONG_STREET = rf"(?:{_EN_STREET}|{_PREFIX_STREET}|{_COMPOUND_STREET}|{_NUM_NAME_NUM_SUFFIX})"

ADDRESS_CONTEXT = [
    "address", "live", "lives", "living", "ship", "shipping", "deliver", "delivery", "send",
    "sent", "mail", "located", "location", "meet", "moved", "move", "street", "billing",
    "residence", "home", "office", "drop", "pick", "return", "house", "apartment", "corner",
]


def _patterns(tail: str) -> list[Pattern]:
    b = r"(?<![\w#@/.\-])"
    return [
        Pattern("street line", rf"{b}{_LEAD}{_STRONG_STREET}{tail}", 0.6),
        Pattern("po box / military", rf"{b}{_PO_BOX}{tail}", 0.6),
        # A weak street line counts when a unit or a postcode line follows it.
        Pattern("number name number + unit/postcode",
                rf"{b}{_LEAD}{_NUM_NAME_NUM}(?:{_SEP}{_UNIT}{tail}|(?:{_SEP}{_PLACE}){{0,3}}{_SEP}{_POSTCODE}(?:{_SEP}{_PLACE})?)", 0.6),
        Pattern("number name number", rf"{b}{_NUM_NAME_NUM}{tail}", 0.3),
        Pattern("landmark street + unit/postcode",
                rf"{b}{_LEAD}{_LANDMARK_STREET}(?:{_SEP}{_UNIT}{tail}|(?:{_SEP}{_PLACE}){{0,3}}{_SEP}{_POSTCODE}(?:{_SEP}{_PLACE})?)", 0.6),
        Pattern("landmark street", rf"{b}{_LANDMARK_STREET}{tail}", 0.3),
        Pattern("unit", rf"{b}{_UNIT}", 0.35),
    ]


class StreetAddressRecognizer(PatternRecognizer):
    """Street lines with their unit, city, region and postcode lines (module docstring)."""

    def __init__(self, supported_language: str = "en", lower_case: bool = False) -> None:
        super().__init__(
            supported_entity="STREET_ADDRESS",
            name="StreetAddressRecognizer",
            supported_language=supported_language,
            patterns=_patterns(_TAIL_LOWER if lower_case else _TAIL),
            context=ADDRESS_CONTEXT,
            global_regex_flags=FLAGS | (re.IGNORECASE if lower_case else 0),
        )
        self._lower = None if lower_case else StreetAddressRecognizer(supported_language, True)
        for p in self.patterns:  # compile now, not on the first message that needs them
            p.compiled_regex = re.compile(p.regex, flags=self.global_regex_flags)
            p.compiled_with_flags = self.global_regex_flags

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):  # noqa: D102
        if self._lower is not None and is_lower_case(text):
            results = self._lower.analyze(text, entities, nlp_artifacts)
            for r in results:  # answer as this recognizer, so context enhancement applies
                r.recognition_metadata[RecognizerResult.RECOGNIZER_IDENTIFIER_KEY] = self.id
            return results
        return super().analyze(text, entities, nlp_artifacts, regex_flags)


# ---------------------------------------------------------------- cue-led weak forms
#: Phrases that, right before a street-like run, say it is an address.
_CUE = (
    r"(?i:(?:my|the|our|new|old|billing|shipping|delivery|home|work|primary|secondary)?\s*"
    r"address(?:es)?\s*(?:is|was|:|to|as)?\s*(?:now\s+)?(?:the\s+same\s*:\s*)?"
    r"|(?:lives?|living|lived|live)\s+(?:at|on|in)|located\s+(?:at|on|in)|(?:is|are)\s+(?:at|on|in)"
    r"|(?:ship|send|deliver|mail|post|return|bring|move|moved|drive|come|go|take\s+me)\s+"
    r"(?:it\s+|them\s+|this\s+|everything\s+)?to|(?:meet|pick)\s+(?:me|us)?\s*(?:up\s+)?at"
    r"|drops?\s+(?:you\s+|me\s+)?off\s+at|stop\s+at|(?:the\s+)?corner\s+of|it'?s\s+(?:at|on|in)"
    r"|(?:we|i)\s+(?:are|am|'m)\s+(?:at|on)|office\s+is\s+(?:at|on))\s+"
)
_STREETISH = (
    rf"(?:{_STRONG_STREET}|{_LANDMARK_STREET}|{_PO_BOX}|{_NUM_NAME_NUM}|{_NAME_NUM}"
    rf"|{_NUM}(?:[ \t]+\d{{1,5}})?[ \t]+(?:{_NAMEW}[ \t]+){{0,3}}{_CAPW})(?:[ \t]+{_ANY_SUFFIX})?"
)
_INTERSECTION_SIDE = rf"(?:(?:{_NAMEW}|{_NUM})[ \t]+){{0,4}}(?:{_CAPW}|{_HOUSE})(?:[ \t]+{_ANY_SUFFIX})?"


class AddressCueRecognizer(LocalRecognizer):
    """Street-like runs that only an address cue makes an address (module docstring):
    `lives on Grössgstötten 50`, `the corner of Beiteveien 2 and Sieda Radial`,
    `return to Leon and Eyrarodda 66`."""

    _CUED = re.compile(
        rf"{_CUE}(?:the\s+)?(?P<addr>(?:{_INTERSECTION_SIDE}[ \t]+and[ \t]+)?{_STREETISH}"
        rf"(?:[ \t]+and[ \t]+{_INTERSECTION_SIDE})?)(?P<tail>{_TAIL})",
        FLAGS,
    )
    _CUED_LOWER = re.compile(
        rf"{_CUE}(?:the\s+)?(?P<addr>(?:{_INTERSECTION_SIDE}[ \t]+and[ \t]+)?{_STREETISH}"
        rf"(?:[ \t]+and[ \t]+{_INTERSECTION_SIDE})?)(?P<tail>{_TAIL_LOWER})",
        FLAGS | re.IGNORECASE,
    )
    #: "A and B" where B is a strong street line needs no cue.
    _CORNER = re.compile(
        rf"(?<![\w])(?P<addr>{_CAPW}(?:[ \t]+{_CAPW})?[ \t]+and[ \t]+{_STRONG_STREET})(?P<tail>{_TAIL})", FLAGS
    )

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(
            supported_entities=["STREET_ADDRESS"],
            supported_language=supported_language,
            name="AddressCueRecognizer",
        )

    def load(self) -> None:  # noqa: D102
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if "STREET_ADDRESS" not in entities or not any(ch.isdigit() for ch in text) and "corner" not in text.lower():
            return []
        lower = is_lower_case(text)
        results = []
        for rx, score in ((self._CUED_LOWER if lower else self._CUED, 0.6), (self._CORNER, 0.5)):
            if lower and rx is self._CORNER:
                continue
            for m in rx.finditer(text, overlapped=True):
                start, end = m.start("addr"), m.end("tail")
                value = text[start:end].rstrip(" ,.")
                end = start + len(value)
                if not any(ch.isdigit() for ch in value) and " and " not in value:
                    continue  # a bare name after a cue ("located in Paris") is a city, not a street
                results.append(RecognizerResult(
                    "STREET_ADDRESS", start, end, score,
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True,
                    },
                ))
        return _longest(results)


def _longest(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Keep the longest of overlapping matches (overlapped matching yields every start)."""
    out: list[RecognizerResult] = []
    for r in sorted(results, key=lambda r: (-(r.end - r.start), r.start)):
        if not any(r.start < o.end and o.start < r.end for o in out):
            out.append(r)
    return sorted(out, key=lambda r: r.start)


_STREET_TYPE = re.compile(_ANY_SUFFIX)


def is_street_type(word: str) -> bool:
    """`word` names a kind of street or landmark ("Street", "Rd.", "Hills", "Flats")."""
    return _STREET_TYPE.fullmatch(word) is not None
