"""What a word says about being a name: given names and surnames of many countries, and how
common the word is in English.

The small spaCy model knows English names it saw in news text and often calls a Danish,
Icelandic or Slovene name an organisation or a place, or nothing. A lexicon of given names
and surnames tells those apart, and English word frequencies tell a name that is only a name
("Rebecca", "Eklund") from one that is also an everyday word ("Will", "White", "Hope").

Sources, both from PyPI, nothing downloaded at run time:

* given names and surnames: the person providers of Faker (MIT), all of its ~80 locales
  (census lists for en_US, national lists for the others);
* word frequencies: wordfreq (code Apache-2.0, data CC BY-SA 4.0), English, as Zipf values
  (log10 of occurrences per billion words: "the" 7.7, "will" 6.5, "rebecca" 4.0);
* dictionary words: Webster's Second International (1934, public domain) as packaged by
  english-words (MIT). Frequency alone cannot tell "johnson" (4.7, a name) from "grant"
  (4.7, a word); the dictionary can, and the frequency keeps its obsolete entries out.

Surnames outside the lists are recognised by their endings where an ending is specific to
surnames ("-sson", "-dóttir", "-ović", "-ová", "-enko", "-escu").
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from dataclasses import dataclass
from functools import lru_cache

import regex as re

#: A dictionary word at or above this Zipf frequency is an everyday word as well as a name
#: ("reed" 4.1, "grant" 4.7, "white" 5.5); below it the dictionary entry is obscure ("dale"
#: 4.0, "chad" 3.9) and the name is what people mean.
EVERYDAY_ZIPF = 4.0
#: Below this, a word is rare in English: a capitalised word this rare is a proper noun of
#: some kind (a name, a place, a company), not a common noun.
RARE_ZIPF = 2.8

_SURNAME_ENDING = re.compile(
    r"(?:s?son|sen|dóttir|dottir|ović|ovič|evič|ević|ić|ič|ová|ova|ovna|evna|eva|ov|ev|in|ina"
    r"|sky|ski|ska|skiy|skaya|enko|chuk|czyk|wicz|escu|eanu|oglu|oğlu|yan|ian|ishvili|adze"
    r"|poulos|akis|idis|opoulou|ez|az|es|ini|elli|etti|ucci|oni|ardo|mann|berg|stein|feld"
    r"|hauer|inger|ström|strom|qvist|kvist|lund|gren|holm|mäki|nen|lainen|ainen|oja|aho)$"
)

#: Given-name endings specific enough to count for a rare word ("Dobrosław", "Wisława").
_GIVEN_ENDING = re.compile(r"(?:sław|sława|slav|slava|slaw|slawa|mir|mira)$")


@dataclass(frozen=True, slots=True)
class NameLexicon:
    """Given names and surnames, English words that are not rare, and everyday dictionary
    words (all casefolded)."""

    given: frozenset[str]
    surnames: frozenset[str]
    common_words: frozenset[str]
    everyday_words: frozenset[str]

    def is_given(self, word: str) -> bool:
        """A listed given name, or a rare word with a given-name ending."""
        w = word.casefold()
        if w in self.given:
            return True
        return len(w) >= 5 and w not in self.common_words and bool(_GIVEN_ENDING.search(w))

    def is_surname(self, word: str) -> bool:
        """A listed surname, or a rare word with a surname ending ("Bergsveinsson", "Žilková")."""
        w = word.casefold()
        if w in self.surnames:
            return True
        return len(w) >= 5 and w not in self.common_words and bool(_SURNAME_ENDING.search(w))

    def is_listed(self, word: str) -> bool:
        w = word.casefold()
        return w in self.given or w in self.surnames

    def everyday(self, word: str) -> bool:
        """Also an everyday English word ("Will", "May", "White", "Price")."""
        return word.casefold() in self.everyday_words

    def plain_word(self, word: str) -> bool:
        """An everyday word or its plural, and no listed name ("Guilty", "Pleasures")."""
        if self.is_listed(word):
            return False
        w = word.casefold()
        return w in self.everyday_words or (w.endswith("s") and w[:-1] in self.everyday_words)

    def only_a_name(self, word: str) -> bool:
        """A listed name (or surname-shaped) that is not also an everyday English word."""
        return (self.is_listed(word) or self.is_surname(word)) and not self.everyday(word)

    def rare(self, word: str) -> bool:
        return word.casefold() not in self.common_words


def _faker_names() -> tuple[set[str], set[str]]:
    from faker.providers import person

    given: set[str] = set()
    surnames: set[str] = set()
    for info in pkgutil.iter_modules(person.__path__):
        module = importlib.import_module(f"{person.__name__}.{info.name}")
        provider = getattr(module, "Provider", None)
        if provider is None:
            continue
        for attr in dir(provider):
            target = given if attr.startswith("first_names") else surnames if attr.startswith("last_names") else None
            if target is None:
                continue
            values = getattr(provider, attr)
            if isinstance(values, dict):
                values = list(values)
            if isinstance(values, (list, tuple)):
                target.update(v.casefold() for v in values if isinstance(v, str) and len(v) >= 2 and " " not in v)
    return given, surnames


@lru_cache(maxsize=1)
def name_lexicon() -> NameLexicon:
    """Built once per process (about a second; a few MB kept)."""
    from english_words import get_english_words_set
    from wordfreq import get_frequency_dict

    given, surnames = _faker_names()
    freqs = get_frequency_dict("en", wordlist="best")
    common = {w for w, f in freqs.items() if f > 0 and math.log10(f) + 9 >= RARE_ZIPF}
    frequent = {w for w in common if math.log10(freqs[w]) + 9 >= EVERYDAY_ZIPF}
    dictionary = get_english_words_set(["web2"], lower=False, alpha=True)
    everyday = {w for w in dictionary if w.islower() and w in frequent}
    return NameLexicon(frozenset(given), frozenset(surnames), frozenset(common), frozenset(everyday))
