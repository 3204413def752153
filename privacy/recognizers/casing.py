"""Whether a message is written without capitals (shoppers often type that way).

Case-sensitive patterns (street names, person names) need a case-insensitive fallback for
such messages. Store identifiers (`#W2378156`), codes with digits and the pronoun "I" do not
count as capitals: "hi my name is ana, order #W7242815" is a lower-case message.
"""

from __future__ import annotations

import regex as re

_CAPITALISED_WORD = re.compile(r"(?<![\w#])(?!I\b)[^\W\d_]*\p{Lu}[^\W\d_]*(?![\w])")


def is_lower_case(text: str) -> bool:
    return _CAPITALISED_WORD.search(text) is None
