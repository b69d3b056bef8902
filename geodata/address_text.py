"""Normalised address text: what the gazetteer stores and what a search query is compared with.

Both sides go through `normalise()`, so "Hauptstraße", "hauptstrasse", "Hauptstr." and "HAUPTSTR"
become "hauptstrasse", and "Mühlweg" and "Muehlweg" both become "muehlweg".
"""

import re
import unicodedata
from dataclasses import dataclass

UMLAUTS = str.maketrans({"ß": "ss", "ẞ": "ss", "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
# "Hauptstr", "Hauptstr.", "Frankfurter Str." and "Str." mean "…strasse"; "strase" is a frequent typo.
STREET_ABBREVIATION = re.compile(r"(str|strase)\b")
NUMBER = re.compile(r"^(\d{1,4})([a-z]{0,2})$")
POSTCODE = re.compile(r"^\d{5}$")


def normalise(text: str) -> str:
    """Return `text` lower case, umlauts and ß spelt out, accents and punctuation removed, single spaces."""
    text = (text or "").translate(UMLAUTS).lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = re.sub(r"[^a-z0-9]+", " ", text)
    # "5 a" is the house number 5a.
    text = re.sub(r"\b(\d{1,4}) ([a-z])\b(?! ?[a-z])", r"\1\2", text)
    return STREET_ABBREVIATION.sub("strasse", text).strip()


def number_key(housenumber: str) -> str:
    """Return the house number as compared: '5 a' and '5A' are '5a'."""
    return re.sub(r"[^a-z0-9]", "", normalise(housenumber))


def number_sort(housenumber: str) -> int:
    """Return the numeric part of a house number for ordering (0 without one)."""
    match = re.match(r"\d+", number_key(housenumber))
    return int(match.group()) if match else 0


def search_text(*, street: str, housenumber: str, postcode: str, place: str) -> str:
    """Return the text an address is found by."""
    return " ".join(
        part for part in (normalise(street), number_key(housenumber), postcode.strip(), normalise(place)) if part
    )


def street_text(*, street_key: str, postcode: str, place: str) -> str:
    """Return the text a street (AddressStreet) is found by: normalised street, postcode and place."""
    return " ".join(part for part in (street_key, postcode.strip(), normalise(place)) if part)


@dataclass(frozen=True)
class Query:
    """A search query split into its street words, a house number and a postcode."""

    words: str
    number: str = ""
    postcode: str = ""

    @property
    def text(self) -> str:
        return " ".join(part for part in (self.words, self.postcode) if part)


def parse_query(text: str) -> Query:
    """Split `text` ("Hauptstr 5a, 61250 Usingen") into street/place words, house number and postcode."""
    tokens = normalise(text).split()
    postcode = next((token for token in tokens if POSTCODE.match(token)), "")
    if postcode:
        tokens.remove(postcode)
    # The house number is the last short number ("Straße des 17. Juni 3": 3); other numbers are words.
    number = next((token for token in reversed(tokens) if NUMBER.match(token)), "")
    if number:
        del tokens[len(tokens) - 1 - tokens[::-1].index(number)]
    return Query(words=" ".join(tokens), number=number, postcode=postcode)
