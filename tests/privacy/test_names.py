"""Person names the small spaCy model misses or mislabels, and words that are not names."""

from __future__ import annotations

import pytest

from privacy.detector import PiiDetector
from privacy.recognizers.names import person_verb


def persons(detector: PiiDetector, text: str) -> list[str]:
    return [d.text for d in detector.detect(text) if d.entity_type == "PERSON"]


@pytest.mark.parametrize("text, name", [
    ("Have you been to a Ravil G Yefimov concert before?", "Ravil G Yefimov"),  # middle initial
    ("In case of my child's account, we need to add Ryan P Costa as guardian", "Ryan P Costa"),
    ("Warrane, can I please speak to your boss?", "Warrane"),  # addressed
    ("Luiza is from Xignite", "Luiza"),  # people are from places and companies
    ("Zoe Young from Flightaware is the keynote speaker", "Zoe Young"),
    ("Maybe it's under Miklós Hajdu", "Miklós Hajdu"),
    ("What's your last name? Boyle", "Boyle"),
    ("She named him Luís", "Luís"),
    ("Unlike the Ruoho novel, it's not about that.", "Ruoho"),
    ("Thaddeus had given his address to the courier", "Thaddeus"),
    ("I'd like to join accounts with ms. Quinzia", "Quinzia"),
    ("sometimes people call me višeslav", "višeslav"),  # all lower case after a strong cue
    ("hi my name is ana lucia ferreira, order #W7242815 is late", "ana lucia ferreira"),
])
def test_names_from_cues_and_shapes(detector: PiiDetector, text: str, name: str) -> None:
    assert name in persons(detector, text), detector.detect(text)


def test_a_name_repeated_as_something_else_is_still_the_name(detector: PiiDetector) -> None:
    found = persons(detector, "My name is Christine Hertzog but everyone calls me Christine")
    assert found == ["Christine Hertzog", "Christine"]


def test_names_in_a_list_with_a_full_name_are_all_names(detector: PiiDetector) -> None:
    found = persons(detector, "They had 3: Efimiya, Maria Lopez and Isabel.")
    assert {"Efimiya", "Maria Lopez", "Isabel"} <= set(found)


def test_one_brand_spacy_calls_a_person_does_not_make_a_list_of_names(detector: PiiDetector) -> None:
    assert "Nike" not in persons(detector, "You asked about the Nike and Adidas running shoes: both are in stock.")


def test_a_brand_beside_a_brand_is_not_a_person(detector: PiiDetector) -> None:
    assert persons(detector, "Do you have the Nike and Adidas running shoes in size 10?") == []


def test_names_end_at_the_line_end(detector: PiiDetector) -> None:
    text = "Olga Krylova\nCable line installer\n1610 ul. Zakrzowska 92 Apt. 399, Cyprus 72423"
    assert "Olga Krylova" in persons(detector, text)
    assert not any("\n" in p for p in persons(detector, text))


def test_first_line_of_an_address_block_is_a_name(detector: PiiDetector) -> None:
    text = "Maureen Thibault\n\n41086 Kiannonkatu 98\n Suite 464\n OULU\n\n Finland 80896"
    assert persons(detector, text) == ["Maureen Thibault"]


@pytest.mark.parametrize("text", [
    "Thanks, the Yoga Mat arrived.",
    "Please cancel order #W2378156.",
    "Personal Info:\nPhone: 0490 75 40 81",
    "Is the Gaming Mouse still $154.99?",
    "Hi, where is my order?",
])
def test_ordinary_capitalised_words_are_not_names(detector: PiiDetector, text: str) -> None:
    assert persons(detector, text) == []


def test_person_verbs_cover_inflections() -> None:
    assert person_verb("lives") and person_verb("said") and person_verb("shouted") and person_verb("given")
    assert not person_verb("table")


@pytest.mark.parametrize("text", [
    "Is the Samsung version compatible with my charger?",
    "I'm a huge Apple fan but this keyboard is bad",
    "Nike Air Max from Foot Locker arrived torn",
    "The Bluetooth Speaker is from China?",
    "Apple and Samsung chargers both failed",
    "My Yoga Mat arrived torn",
    "Do you sell a clicky mechanical keyboard with RGB backlight?",
])
def test_brands_and_products_in_shop_chat_are_not_names(text: str) -> None:
    from privacy.config import PrivacyConfig
    from privacy.detector import PiiDetector

    detector = PiiDetector(PrivacyConfig())  # no catalog allow terms: the rules alone
    assert persons(detector, text) == []


def test_role_words_are_not_part_of_the_name(detector: PiiDetector) -> None:
    assert "James Sparks" in persons(detector, 'Producer James Sparks explained to the press: "We liked it"')


def test_name_particles_stay_inside_the_name(detector: PiiDetector) -> None:
    text = "Maika van de Noort\nEmployment manager\n33787 590 Edington Drive\nToronto"
    assert "Maika van de Noort" in persons(detector, text)


# --------------------------------------------------------------------------- the name lexicon


@pytest.mark.parametrize("text, name", [
    ("Why is Marguerite so late with the pickup?", "Marguerite"),  # only ever a name
    ("Darren is collecting the parcel for me.", "Darren"),  # a given name spaCy calls ORG
    ("The card was a present from Emmie Ström last year.", "Emmie Ström"),  # given + surname
    ("I think Rościsław Dudek placed the second order.", "Rościsław Dudek"),  # rare + surname
    ("eva kleist will collect it on friday", "eva kleist"),  # lower case: given + rare word
    ("please send the receipt to guðgeir bergsveinsson", "guðgeir bergsveinsson"),
])
def test_names_the_lexicon_knows_need_no_cue(detector: PiiDetector, text: str, name: str) -> None:
    assert name in persons(detector, text), detector.detect(text)


def test_a_list_of_surnames_is_a_list_of_people(detector: PiiDetector) -> None:
    found = set(persons(detector, "Eklund, Michael and Hodge started the shop in 2009."))
    assert {"Eklund", "Michael", "Hodge"} <= found


def test_a_lower_case_list_of_given_names_is_a_list_of_people(detector: PiiDetector) -> None:
    found = set(persons(detector, "the gift cards are for silvana, adam, kristina and caleb"))
    assert {"silvana", "adam", "kristina", "caleb"} <= found


@pytest.mark.parametrize("text", [
    "Do you have it in Black and White?",  # surnames, but colours first
    "Will this arrive by May?",  # names that are everyday words
    "For the full story, see Guilty Pleasures on our blog.",  # a title spaCy calls a person
    "I ordered it at work, I'm at Hawkins, Richardson and Santana.",  # a firm named after people
    "We moved to Florence last year.",  # a given name after a place preposition
    "It is sold by Fernandez Inc. in Spain.",
])
def test_lexicon_names_in_other_roles_are_not_people(text: str) -> None:
    from privacy.config import PrivacyConfig
    from privacy.detector import PiiDetector

    detector = PiiDetector(PrivacyConfig())
    assert persons(detector, text) == [], detector.detect(text)


def test_the_lexicon_tells_names_from_everyday_words() -> None:
    from privacy.recognizers.name_lexicon import name_lexicon

    lex = name_lexicon()
    assert lex.only_a_name("Rebecca") and lex.only_a_name("Johnson") and lex.only_a_name("Eklund")
    assert lex.everyday("White") and lex.everyday("Will") and not lex.only_a_name("Hope")
    assert lex.is_surname("Bergsveinsson") and lex.is_surname("Žilková")  # by their endings
    assert not lex.is_surname("Protein") and not lex.is_surname("Vitamin")  # an ending is not enough for a common word
    assert lex.is_given("Dobrosław") and not lex.is_given("Laptop")
