"""Names as police write them, taken apart and normalised for search and entity resolution."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
from nicknames import NickNamer

SUFFIXES = {"JR", "SR", "II", "III", "IV", "V"}
_NOT_LETTER = re.compile(r"[^A-Z]")
_SPACES = re.compile(r"\s+")
_NICKNAMES = NickNamer()


@dataclass(frozen=True)
class ParsedName:
    """A name in parts, upper case as recorded (``O'BRIEN`` keeps its apostrophe)."""

    last: str
    first: str = ""
    middle: str = ""
    suffix: str = ""

    @property
    def last_key(self) -> str:
        return letters(self.last)

    @property
    def first_key(self) -> str:
        return letters(self.first)

    @property
    def display(self) -> str:
        last = f"{self.last} {self.suffix}" if self.suffix else self.last
        given = " ".join(p for p in (self.first, self.middle) if p)
        return f"{last}, {given}" if given else last


@lru_cache(maxsize=262144)
def letters(text: str) -> str:
    """Upper-case letters only: the form names are compared and indexed in."""
    return _NOT_LETTER.sub("", (text or "").upper())


@lru_cache(maxsize=262144)
def sound(text: str) -> str:
    """The phonetic key (metaphone) of a name part; empty for an empty part."""
    key = letters(text)
    return jellyfish.metaphone(key)[:24] if key else ""


def _split_suffix(tokens: list[str]) -> tuple[list[str], str]:
    if len(tokens) > 1 and tokens[-1].rstrip(".") in SUFFIXES:
        return tokens[:-1], tokens[-1].rstrip(".")
    return tokens, ""


def parse_name(text: str) -> ParsedName | None:
    """``"SMITH JR, JOHN A"``, ``"Smith, John"``, ``"John A. Smith Jr."`` → parts.

    None for a name with no letters (de-identified extracts leave it empty).
    """
    clean = _SPACES.sub(" ", (text or "").upper().replace(".", " ")).strip(" ,")
    if not letters(clean):
        return None
    if "," in clean:
        family, _, given = clean.partition(",")
        family_tokens, suffix = _split_suffix(family.split())
        given_tokens, given_suffix = _split_suffix(given.split())
        suffix = suffix or given_suffix
        last = " ".join(family_tokens)
    else:
        tokens, suffix = _split_suffix(clean.split())
        last = tokens[-1]
        given_tokens = tokens[:-1]
    first = given_tokens[0] if given_tokens else ""
    middle = " ".join(given_tokens[1:])
    return ParsedName(last=last, first=first, middle=middle, suffix=suffix)


@lru_cache(maxsize=65536)
def first_name_forms(first: str) -> frozenset[str]:
    """A first name with its nickname equivalents (Bob ↔ Robert, Jon ↔ Jonathan), letters only."""
    key = letters(first)
    if len(key) < 2:
        return frozenset({key}) if key else frozenset()
    low = key.lower()
    forms = {low} | _NICKNAMES.canonicals_of(low) | _NICKNAMES.nicknames_of(low)
    return frozenset(letters(f) for f in forms)


def nickname_equivalent(a: str, b: str) -> bool:
    """True when one first name is a known nickname or formal form of the other."""
    ka, kb = letters(a), letters(b)
    if not ka or not kb or ka == kb:
        return False
    return kb in first_name_forms(ka) or ka in first_name_forms(kb)
