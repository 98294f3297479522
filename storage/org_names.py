"""How organizations' names are compared: the key they are matched by and the key they are
listed by. Plain text rules, nothing of the database, so the model can fill its listing key."""

from __future__ import annotations

import re
import unicodedata

_QUOTES = re.compile(r"[«»\"'“”„‟‘’‚`]")
_NUMBER_SIGN = re.compile(r"№\s*")
_DIGITS = re.compile(r"\d+")


def folded(text: str) -> str:
    """Text as names, headers and words are compared: a «Й» or «Ё» pasted from a PDF or a Mac
    (a letter and a combining mark) is one letter again, and case and «ё»/«е» do not matter."""
    return unicodedata.normalize("NFC", text).casefold().replace("ё", "е")


def name_key(name: str) -> str:
    """The key organizations are matched by.

    Case, «ё»/«е», composed or decomposed letters, quote characters and runs of spaces do not
    matter; «№1» equals «№ 1».
    """
    key = folded(_QUOTES.sub("", name))
    key = " ".join(key.split())
    return _NUMBER_SIGN.sub("№ ", key).strip()


def contains(key: str, part: str) -> bool:
    """Whether a name (its ``key``) contains the ``part`` a person typed (its key): a number
    typed is a whole number of the name, so «№ 1» finds «СОШ № 1», not «СОШ № 12» or «№ 21»
    (in a district of numbered schools it would otherwise find dozens)."""
    head = r"(?<!\d)" if _DIGITS.match(part) else ""
    tail = r"(?!\d)" if _DIGITS.match(part[-1:]) else ""
    return re.search(head + re.escape(part) + tail, key) is not None


def sort_key(name: str) -> str:
    """The key organizations are listed by: the matching key with every number read as a
    number, so «№ 2» comes before «№ 10» and «№ 10» before «№ 100», as a district of numbered
    schools and kindergartens reads them.

    A run of digits is written as its count of digits (two digits) and then the digits without
    leading zeros: plain string order, the only order SQLite and PostgreSQL share, is then
    number order (for numbers up to 99 digits long), whatever the database's collation.
    """
    return _DIGITS.sub(_counted, name_key(name))


def _counted(number: re.Match[str]) -> str:
    digits = number.group().lstrip("0") or "0"
    return f"{len(digits):02d}{digits}"
