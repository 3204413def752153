"""Street addresses: street line forms, what follows them, cues, and what is not an address."""

from __future__ import annotations

import pytest

from privacy.detector import PiiDetector


def addresses(detector: PiiDetector, text: str) -> list[str]:
    return [d.text for d in detector.detect(text) if d.entity_type == "STREET_ADDRESS"]


@pytest.mark.parametrize("text, address", [
    # number + name + street type, with unit, city, state, postcode
    ("Please ship the replacement to 986 Sunset Drive, Suite 259, Denver, CO 80279.",
     "986 Sunset Drive, Suite 259, Denver, CO 80279"),
    # multi-line block, a comma on its own line, a country then a postcode
    ("The address is 6750 Koskikatu 25 Apt. 864\nArtilleros\n, CO\n Uruguay 64677",
     "6750 Koskikatu 25 Apt. 864\nArtilleros\n, CO\n Uruguay 64677"),
    # street-type prefixes, lower-case words inside a name
    (">Rizzo\n>770 26 rue des lieutenants Thomazo\n>Apt. 735\n>DOLE\n>France 35910",
     "770 26 rue des lieutenants Thomazo\n>Apt. 735\n>DOLE\n>France 35910"),
    ("The title refers to C/ Señores Curas 88 street in the old town.", "C/ Señores Curas 88"),
    # compound street names with a Germanic / Nordic / Hungarian ending, separate or joined
    ("The letter arrived at 760 Passauer Strasse 33, Cite Guedouala, Tunisia last night.",
     "760 Passauer Strasse 33, Cite Guedouala, Tunisia"),
    ("Name: Martim Pereira\nAddress:     17693 Király u. 15.\nLyss, nan 50662",
     "17693 Király u. 15.\nLyss, nan 50662"),
    # a unit before the street line
    ("Mrs. Jennifer Alcaraz Suite 541 6343 Skogstien 106\nASKER nan 1386",
     "Suite 541 6343 Skogstien 106\nASKER nan 1386"),
    # PO boxes and military addresses
    ("send a new one to USNS Sekerková\nFPO AA 65728? I am away", "USNS Sekerková\nFPO AA 65728"),
    ("Meet me at P.O. Box 149 Monika Union\n Apt. 485\n Pituffik\n Greenlander 52888",
     "P.O. Box 149 Monika Union\n Apt. 485\n Pituffik\n Greenlander 52888"),
    # weak forms with a cue right before them
    ("Trivo lives on Grössgstötten 50 street.", "Grössgstötten 50 street"),
    ("The bus station is on Pod Floriánem 1677", "Pod Floriánem 1677"),
    # intersections
    ("my new address is the corner of 159 Eleftheriou Venizelou str and Rennie Union",
     "159 Eleftheriou Venizelou str and Rennie Union"),
    ("Innography\nthe corner of 25 Dili Gianni Street and King Forges\nMobile: 723 813 266",
     "25 Dili Gianni Street and King Forges"),
    # all lower case
    ("ship it to 88 queen street, apt 4, toronto, on m5h 2n2 please",
     "88 queen street, apt 4, toronto, on m5h 2n2"),
    ("bot: where should we send it? user: 0605 πεντέλης 210 apt. 999\ndelmas, mp 35739",
     "0605 πεντέλης 210 apt. 999\ndelmas, mp 35739"),
])
def test_address_forms(detector: PiiDetector, text: str, address: str) -> None:
    assert address in addresses(detector, text), detector.detect(text)


def test_a_name_running_into_an_address_keeps_its_own_part(detector: PiiDetector) -> None:
    found = {d.text: d.entity_type for d in detector.detect("Mrs. Jennifer Alcaraz Suite 541 6343 Skogstien 106\nASKER nan 1386")}
    assert found.get("Jennifer Alcaraz") == "PERSON"


def test_an_address_stops_before_the_phone_line(detector: PiiDetector) -> None:
    text = "PSC 3294, Box 9168\nAPO AA 61487\n416 60 039 office"
    assert addresses(detector, text) == ["PSC 3294, Box 9168\nAPO AA 61487"]
    assert "416 60 039" in [d.text for d in detector.detect(text) if d.entity_type == "PHONE_NUMBER"]


@pytest.mark.parametrize("text", [
    "I ordered 3 Blue Mountain coffee bags",
    "Send the 2 Wall Mounts from #W8855135 back to the warehouse.",
    "Please ship the iPhone 15 Case to my usual address.",
    "Boarding at gate 12, flight 4410.",
    "Order 2 of the Standing Desk Frame 140 please",
])
def test_product_names_with_numbers_are_not_addresses(detector: PiiDetector, text: str) -> None:
    assert addresses(detector, text) == []
