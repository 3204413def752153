"""Person names that the small spaCy model misses or mislabels.

`en_core_web_sm` finds common English names but often tags foreign names as ORG, GPE or
nothing. This recognizer reuses the tokens Presidio's spaCy pass already produced (no second
pass) and reports a run of capitalised name-like tokens as PERSON when something says it is a
name:

* a cue before it: an honorific ("Mrs."), "my name is", "I am", "Dear", "Name:", "signed",
  "call me", "named her", "add … as", "under", "assistant to", or a weaker one ("to", "with",
  "and") when the run is clearly a proper name;
* the shape of a full name with a middle initial ("Ravil G Yefimov", "Faina D. Yefremova");
* the run is the subject of a verb people do ("Zak shouted", "Trivo lives on"), is "from"
  somewhere ("Luiza is from Xignite"), or is addressed ("Warrane, can I …");
* the run is a speaker label ("Alice: …") or the first line of a signature / address block
  ("Maureen Thibault\\n\\n41086 Kiannonkatu 98 …");
* in an all-lower-case message, one to three words after a strong cue ("my name is nyberg");
* failing all of those, the name lexicon (`name_lexicon.py`): a given name followed by a
  surname ("Emmie Ström", "eva kleist"), or a word that is only ever a name ("Why is Rebecca
  so impulsive?", "Celina just has to"), also where spaCy called it a place or a company; in
  an all-lower-case message, a list of given names ("silvana, adam, chad and caleb").

Hand-written because Presidio's context words only raise the score of an existing match; they
cannot propose a span. It needs no part-of-speech tags or lemmas (the tagger, attribute ruler
and lemmatizer are left out of the spaCy pipeline for speed): names are told from words by
capitals, spaCy's stop-word list and the cues above.
"""

from __future__ import annotations

import regex as re
from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Token

from privacy.recognizers.address import is_street_type
from privacy.recognizers.casing import is_lower_case
from privacy.recognizers.name_lexicon import NameLexicon, name_lexicon

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
    ("founders", ":"), ("meet",), ("ask",), ("tell",), ("thank",), ("named", "him"),
    ("named", "her"), ("call", "him"), ("call", "her"), ("name",), ("under",), ("add",),
    ("assistant", "to"), ("speak", "to"), ("talk", "to"), ("user", ":"), ("partner",),
    ("boss",), ("mom",), ("dad",), ("grandma",), ("grandpa",), ("uncle",), ("aunt",),
    ("cousin",), ("nephew",), ("niece",), ("boyfriend",), ("girlfriend",), ("fiance",),
    ("fiancee",), ("neighbour",), ("neighbor",), ("landlord",), ("said",), ("says",),
    ("asked",), ("told",), ("cousin",), ("guardian",), ("beneficiary",), ("on", "behalf", "of"),
    ("calls", "me"), ("address", ":"), ("ms",), ("mr",), ("mrs",),
)
STRONG_CUES = {
    ("name", "is"), ("name", "was"), ("name", ":"), ("names", "are"), ("i", "am"), ("i", "'m"),
    ("dear",), ("signed",), ("regards", ","), ("sincerely", ","), ("attn", ":"),
    ("attention", ":"), ("recipient", ":"), ("customer", ":"), ("called",), ("named",),
    ("named", "him"), ("named", "her"), ("call", "me"), ("call", "him"), ("call", "her"),
    ("calls", "me"), ("name", "?"),
}
#: Nouns after a name that make it a person: "the Ruoho novel", "a Homero Portillo concert",
#: not "the Samsung version" or "a huge Apple fan", which shop chat is full of.
CREATOR_NOUNS = {
    "novel", "novels", "concert", "concerts", "biography", "lyrics", "poem", "poems",
    "painting", "paintings", "memoir", "memoirs", "autobiography",
}
#: Words between a subject and its verb: "Thaddeus had given", "Dori just has to".
_BETWEEN = {"just", "also", "then", "had", "has", "have", "will", "would", "could", "should",
            "did", "never", "always", "finally", "really", "still", "once", "soon", "later"}
# Verbs whose subject is usually a person (base forms; inflections are derived below). Verbs
# that products and companies do in shop chat ("the Yoga Mat arrived", "Samsung makes",
# "the keyboard stopped working") are left out.
PERSON_VERBS = {
    "live", "say", "tell", "ask", "give", "list", "write", "call", "email", "want", "need",
    "shout", "reply", "answer", "smile", "laugh", "cry", "yell", "whisper", "die", "buy",
    "pay", "visit", "meet", "marry", "sing", "complain", "think", "feel", "know", "like",
    "love", "hate", "spend", "explain", "fly", "travel", "study", "teach", "graduate",
    "retire", "resign", "decide", "agree", "promise", "admit", "insist", "refuse", "suggest",
    "speak", "hear", "wish", "hope", "shout", "scream", "sigh", "nod", "grin", "frown",
    "begin",
}
#: Lower-case particles inside a full name ("Maika van de Noort", "Ludwig van Beethoven").
NAME_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "del", "della", "du", "la", "le",
                  "bin", "binti", "al", "el", "ter", "ten", "dos", "das", "y"}
_IRREGULAR = {
    "said": "say", "told": "tell", "gave": "give", "wrote": "write", "written": "write",
    "paid": "pay", "bought": "buy", "met": "meet", "sent": "send", "sang": "sing", "sung": "sing",
    "led": "lead", "thought": "think", "felt": "feel", "knew": "know", "came": "come",
    "went": "go", "gone": "go", "left": "leave", "spent": "spend", "flew": "fly", "flown": "fly",
    "became": "become", "lost": "lose", "won": "win", "began": "begin", "begun": "begin",
    "died": "die", "lives": "live", "lived": "live", "married": "marry", "studied": "study",
    "taught": "teach", "was": "be", "is": "be", "given": "give", "spoken": "speak",
    "heard": "hear", "sold": "sell", "held": "hold", "made": "make", "took": "take",
}
#: Field labels that look like speaker labels ("Address:") but are not names.
FIELD_LABELS = {
    "name", "address", "phone", "email", "e-mail", "website", "fax", "mobile", "desk", "office",
    "note", "notes", "subject", "date", "time", "re", "fw", "fwd", "to", "from", "cc", "bcc",
    "order", "item", "tracking", "total", "price", "zip", "city", "state", "country", "q", "a",
    "user", "bot", "agent", "customer", "support", "answer", "question", "where", "when",
    "info", "personal", "details", "contact", "billing", "shipping", "delivery", "status",
}
#: Capitalised words that start sentences or label things and are not names, beyond
#: spaCy's stop words.
NOT_NAMES = {
    "thanks", "thank", "hi", "hello", "hey", "dear", "yes", "no", "ok", "okay", "sorry",
    "maybe", "just", "also", "still", "order", "item", "tracking", "card", "phone", "email",
    "address", "name", "date", "time", "price", "total", "subject", "mobile", "desk", "fax",
    "office", "website", "personal", "info", "bot", "user", "customer", "agent", "support",
    "when", "where", "what", "who", "why", "how", "mon", "tue", "wed", "thu", "fri", "sat",
    "sun", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "june", "july", "august", "september",
    "october", "november", "december", "today", "tomorrow", "yesterday", "god", "great",
    "good", "nice", "cool", "wow", "oh", "well", "like", "let", "lets", "let's", "can't",
    "don't", "i'm", "i've", "i'd", "i'll", "it's", "that's", "there's", "what's", "here",
}


#: Words before a place, not a person: "moved to Austin", "back in Florence".
PLACE_PREPOSITIONS = {"in", "at", "to", "from", "near", "into", "via", "visit", "visiting",
                      "outside", "around", "across", "towards", "toward"}
#: Words after a name that make it a company's: "Fernandez Inc.", "Shepherd Ltd.".
COMPANY_SUFFIXES = {"inc", "ltd", "llc", "llp", "plc", "corp", "co", "gmbh", "ag", "sa", "bv",
                    "nv", "oy", "ab", "as", "srl", "spa", "group", "holdings"}
#: Weak cues that precede companies as often as people ("the CEO of Lexisnexis", "a year at
#: Poweradvocate"): they count only for a run the name lexicon knows.
FIRM_CUES = {("of",), ("at",), ("for",), ("with",), ("by",)}
#: spaCy labels the lexicon may overrule on a run it says is a name.
NOT_PERSON_LABELS = {"GPE", "LOC", "FAC", "ORG", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT"}


def person_verb(word: str) -> bool:
    """`word` (lower case) is an inflection of a verb in PERSON_VERBS."""
    if word in _IRREGULAR:
        return _IRREGULAR[word] in PERSON_VERBS
    for cut, add in (("", ""), ("s", ""), ("es", ""), ("ed", ""), ("d", ""), ("ing", ""),
                     ("ing", "e"), ("ies", "y"), ("ied", "y")):
        if cut and not word.endswith(cut):
            continue
        base = (word[: -len(cut)] if cut else word) + add
        if base in PERSON_VERBS:
            return True
    return False


def _is_name_token(tok: Token) -> bool:
    t = tok.text
    if not t or not t[0].isupper() or tok.like_num or t == "I":
        return False
    if t.endswith(("Error", "Exception", "Warning")):
        return False  # ValueError: ... in a traceback is not a speaker
    if len(t) <= 2 and t.endswith("."):
        return t[0].isalpha()  # initial "D."
    if len(t) == 1:
        return t.isalpha()  # initial without a dot
    letters = t.replace("-", "").replace("'", "").replace("’", "")
    if not letters.isalpha():
        return False
    if t.isupper() and len(t) > 3:
        return False  # shouting or an acronym, not a name
    low = t.lower()
    return not tok.is_stop and low not in NOT_NAMES and low.rstrip(".") not in HONORIFICS


def _particle_run_ends_in_name(doc: Doc, j: int) -> bool:
    """doc[j] starts lower-case name particles followed by a name: "van de Noort"."""
    k = j
    while k < len(doc) and doc[k].text.islower() and doc[k].lower_ in NAME_PARTICLES and k - j < 3:
        k += 1
    return k > j and k < len(doc) and _is_name_token(doc[k])


def _is_initial(tok: Token) -> bool:
    t = tok.text
    return (len(t) == 1 and t.isalpha() and t.isupper()) or (len(t) == 2 and t[1] == "." and t[0].isupper())


def _sentence_start(doc: Doc, i: int) -> bool:
    if i == 0:
        return True
    prev = doc[i - 1]
    return prev.is_space or prev.text in (".", "!", "?", ">", "-", "*", ":", '"', "\n") or "\n" in prev.text_with_ws


def _prev_words(doc: Doc, i: int, n: int = 3) -> list[str]:
    out: list[str] = []
    k = i - 1
    while k >= 0 and len(out) < n:
        if not doc[k].is_space:
            out.append(doc[k].lower_)
        k -= 1
    return out[::-1]


_LOWER_CUE = re.compile(
    r"\b(?:my\s+(?:first\s+|last\s+|full\s+|maiden\s+)?name\s+is|(?:first|last|full|maiden)\s+name\s+is"
    r"|name\s*:|call\s+me|called|named\s+(?:him|her)?|signed)\s+"
    r"(?P<name>[^\W\d_][\w'’\-]*(?:\.?\s+[^\W\d_][\w'’\-]*\.?){0,2})"
)


class ProperNameRecognizer(LocalRecognizer):
    """PERSON from capitalised name runs with a person cue (see module docstring)."""

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(
            supported_entities=["PERSON"],
            supported_language=supported_language,
            name="ProperNameRecognizer",
        )

    def load(self) -> None:  # noqa: D102
        self._lexicon: NameLexicon = name_lexicon()

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if nlp_artifacts is None or "PERSON" not in entities:
            return []
        doc: Doc = nlp_artifacts.tokens
        results: list[RecognizerResult] = []
        results += self._lower_case(text)
        if is_lower_case(text):
            return results + self._lower_case_lexicon(doc, covered=results)
        i = 0
        n = len(doc)
        while i < n:
            if not _is_name_token(doc[i]):
                i += 1
                continue
            j = i
            while j < n and j - i < 6 and (_is_name_token(doc[j]) or (j > i and _particle_run_ends_in_name(doc, j))):
                j += 1
                if "\n" in doc[j - 1].whitespace_ or (j < n and doc[j].is_space):
                    break
            score = self._score(doc, i, j)
            if score > 0:
                start = doc[i].idx
                end = doc[j - 1].idx + len(doc[j - 1].text)
                results.append(self._result(start, end, score))
            i = j
        return results

    def _lower_case(self, text: str) -> list[RecognizerResult]:
        """All-lower-case messages: up to three words after a strong cue, stopping at a stop
        word ("my name is nyberg and …" → "nyberg")."""
        out = []
        for m in _LOWER_CUE.finditer(text):
            end = None
            for w in re.finditer(r"[^\W\d_][\w'’\-]*\.?", text[m.start("name"): m.end("name")]):
                word = w.group().lower().rstrip(".")
                if word in STOP_WORDS or word in NOT_NAMES or not w.group().islower():
                    break  # capitalised names are the main pass's
                end = m.start("name") + w.end()
            if end is not None:
                out.append(self._result(m.start("name"), end, 0.6))
        return out

    def _lower_case_lexicon(self, doc: Doc, covered: list[RecognizerResult]) -> list[RecognizerResult]:
        """All-lower-case messages, from the lexicon alone: a given name followed by a surname
        or a rare word ("eva kleist lives at", "guðgeir bergsveinsson", "emidio p lombardo"),
        and the items of a list when most of them are given names ("they had 6: silvana,
        adam, christopher, kristina, chad and caleb")."""
        lex = self._lexicon
        out: list[RecognizerResult] = []
        taken = [(r.start, r.end) for r in covered]

        def take(s: int, e: int, score: float) -> None:
            """Report s..e unless an earlier finding already covers part of it."""
            if not any(s < b and a < e for a, b in taken):
                out.append(self._result(s, e, score))
                taken.append((s, e))

        words = [t for t in doc if t.is_alpha]
        # Lists: "a, b, c and d" of single words, most of them given names.
        i, n = 0, len(doc)
        while i < n:
            items = [doc[i]] if doc[i].is_alpha else []
            j = i + 1
            while items and j + 1 < n and doc[j].text in (",", "and", "&") and doc[j + 1].is_alpha:
                items.append(doc[j + 1])
                j += 2
                if j < n and doc[j].text == "," and j + 2 < n and doc[j + 1].lower_ == "and" and doc[j + 2].is_alpha:
                    items.append(doc[j + 2])
                    j += 3
            if len(items) >= 3:
                names = sum(lex.is_given(t.text) and not t.is_stop for t in items)
                if names * 3 >= len(items) * 2:
                    for t in items:
                        if not t.is_stop:
                            take(t.idx, t.idx + len(t.text), 0.6)
                i = j
            else:
                i += 1
        # Full names: given (+ initial) + surname or rare word.
        for k, t in enumerate(words[:-1]):
            if t.is_stop or not lex.is_given(t.text) or lex.everyday(t.text) or t.lower_ in NOT_NAMES:
                continue
            nxt = words[k + 1]
            if nxt.i != t.i + 1:
                continue
            last = nxt
            if len(nxt.text) == 1 and k + 2 < len(words) and words[k + 2].i == nxt.i + 1:
                last = words[k + 2]  # a middle initial
            if last.is_stop or len(last.text) < 2 or last.lower_ in NOT_NAMES:
                continue
            if not (lex.is_surname(last.text) or lex.rare(last.text)):
                continue
            take(t.idx, last.idx + len(last.text), 0.55)
        # A given name that is no English word at all ("the true gender of frederikke").
        for t in words:
            if not t.is_stop and lex.is_given(t.text) and lex.rare(t.text) and len(t.text) >= 3 \
                    and t.lower_ not in NOT_NAMES:
                take(t.idx, t.idx + len(t.text), 0.5)
        return out

    def _score(self, doc: Doc, i: int, j: int) -> float:
        span = doc[i:j]
        span_toks = [t.text.lower().rstrip(".") for t in span]
        n_tok = j - i
        if all(_is_initial(t) for t in span):
            return 0.0
        prev = _prev_words(doc, i)
        if j < len(doc) and doc[j].lower_.rstrip(".") in COMPANY_SUFFIXES and not doc[j].text.islower():
            return 0.0  # "Fernandez Inc.", "Statoil AS" (not "add Ryan Costa as guardian")
        if prev and (prev[-1].rstrip(".") in HONORIFICS or (
                prev[-1] == "." and len(prev) > 1 and prev[-2] in HONORIFICS)):
            return 0.9
        start_of_sentence = _sentence_start(doc, i)
        # "proper": every token capitalised and the run not merely a capitalised first word.
        proper = not start_of_sentence or n_tok >= 2
        for cue in sorted(LEFT_CUES, key=len, reverse=True):
            if tuple(prev[-len(cue):]) == cue:
                if cue in STRONG_CUES:
                    return 0.9
                if cue == ("and",) and self._after_non_person(doc, i):
                    break  # "Apple and Samsung": the first conjunct is a company
                if proper and (cue not in FIRM_CUES or any(
                        self._lexicon.only_a_name(t.text) for t in span)):
                    return 0.5
                break
        # "Ravil G Yefimov", "Faina D. Yefremova": a full name with a middle initial.
        if n_tok >= 3 and any(_is_initial(t) for t in span[1:-1]) and not _is_initial(span[0]) \
                and not _is_initial(span[-1]):
            return 0.7
        nxt_i = j
        nxt = doc[nxt_i] if nxt_i < len(doc) else None
        if nxt is None or "\n" in doc[j - 1].whitespace_ or nxt.is_space:
            # A name alone on the first line of a block: "Maureen Thibault\n\n41086 …".
            if 2 <= n_tok <= 4 and self._first_line(doc, i) and j < len(doc):
                return 0.55
            return 0.0
        nxt2 = doc[nxt_i + 1] if nxt_i + 1 < len(doc) else None
        # "Zak shouted at", "Trivo lives on": subject of a verb people do.
        if nxt.text.islower() and person_verb(nxt.lower_) and nxt.lower_ not in ("is", "was"):
            return 0.6
        if nxt.lower_ in _BETWEEN and nxt2 is not None and nxt2.text.islower() and person_verb(nxt2.lower_) \
                and nxt2.lower_ not in ("is", "was"):
            return 0.6
        # "Luiza is from Xignite", "Zoe Young from Flightaware": people are from places and
        # companies.
        determiner = bool(prev) and prev[-1] in ("the", "a", "an", "this", "that", "my", "our", "your", "these", "those")
        if nxt.lower_ in ("is", "was") and nxt2 is not None and nxt2.lower_ == "from" and n_tok <= 2 \
                and not determiner:
            return 0.6
        if nxt.lower_ == "from" and n_tok == 2 and not determiner and nxt2 is not None and nxt2.text[:1].isupper():
            return 0.6
        # "the Ruoho novel", "a Homero Portillo concert"
        if nxt.lower_ in CREATOR_NOUNS and prev and prev[-1] in ("the", "a", "an", "huge", "big", "his", "her"):
            return 0.6
        # "Warrane, can I please speak to your boss?": a name addressed at the start.
        if start_of_sentence and nxt.text == "," and n_tok <= 2 and nxt2 is not None and \
                nxt2.lower_ in ("can", "could", "would", "will", "please", "i", "you", "do", "did",
                                "are", "is", "have", "thanks", "thank", "we", "it", "this"):
            return 0.6
        # "Alice: ..." at the start of a line (a speaker label), not a field label.
        if nxt.text == ":" and start_of_sentence and span_toks[-1] not in FIELD_LABELS and n_tok <= 3:
            return 0.6
        return self._lexicon_score(doc, i, j, prev, start_of_sentence)

    def _lexicon_score(self, doc: Doc, i: int, j: int, prev: list[str], start_of_sentence: bool) -> float:
        """No cue: what the name lexicon says. A given name + surname is a name; a single word
        only when it is nothing but a name and sits where a name does (before a verb, a
        function word or punctuation, not "Chelsea boots"). Where spaCy called the run a place
        or a company, a confident lexicon match outranks it, except after a place preposition
        ("moved to Florence")."""
        lex = self._lexicon
        span = doc[i:j]
        words = [t.text for t in span if not _is_initial(t)]
        if not words or any(is_street_type(w) for w in words[1:]):
            return 0.0  # "Marina Fort Street" is a street
        spacy_other = any(t.ent_type_ in NOT_PERSON_LABELS for t in span)
        if len(words) >= 2:
            first, last = words[0], words[-1]
            if lex.is_given(first) and (lex.is_surname(last) or lex.rare(last)) \
                    and not (lex.everyday(first) and lex.everyday(last)):
                return 0.9 if spacy_other else 0.65
            if lex.rare(first) and lex.is_surname(last) and not lex.everyday(last):
                return 0.86 if spacy_other else 0.6  # "Rościsław Dudek", "Yerlan Tomaszewski"
            return 0.0
        word = words[0]
        if not lex.only_a_name(word) or (prev and prev[-1] in PLACE_PREPOSITIONS):
            return 0.0
        if prev and prev[-1] in ("and", "or", "&", ","):
            return 0.0  # an item of a list: the list decides (detector._coordinated_names)
        if spacy_other and not lex.is_given(word):
            return 0.0  # a lone surname spaCy calls a place or company often is one ("Owens")
        nxt = doc[j] if j < len(doc) else None
        where_a_name_sits = nxt is None or not nxt.is_alpha or nxt.is_stop or nxt.lower_ in ("'s", "’s") \
            or person_verb(nxt.lower_)
        if not where_a_name_sits:
            return 0.0
        if start_of_sentence and not (nxt is not None and nxt.is_alpha):
            return 0.0  # "Rebecca." alone, or a heading
        return 0.86 if spacy_other else 0.55

    @staticmethod
    def _after_non_person(doc: Doc, i: int) -> bool:
        """The word before the "and" in front of token i is something spaCy calls an
        organisation, place or product."""
        k = i - 1
        while k >= 0 and (doc[k].is_space or doc[k].lower_ == "and"):
            k -= 1
        return k >= 0 and doc[k].ent_type_ in ("ORG", "GPE", "LOC", "FAC", "PRODUCT", "NORP")

    @staticmethod
    def _first_line(doc: Doc, i: int) -> bool:
        """Token i starts the first non-blank line of the text (after quote marks)."""
        return all(t.is_space or t.text in (">", "*", "-", "?", "??", "???") for t in doc[:i])

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
