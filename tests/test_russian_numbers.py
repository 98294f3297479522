"""Russian grammar of texts with a number in them: the noun's form after the count, the
verb's agreement with it, a month after a preposition. Each text is rendered with the counts
whose forms differ (1, 2, 5, the teens, 21, 101, 111…) and checked on exact words."""

from __future__ import annotations

import pytest

from bot.texts import forms
from bot.texts.reminders import plural

# How each count is read, written out by hand: «one» (1 день), «few» (2 дня), «many» (5 дней).
READING = {
    0: "many",
    1: "one",
    2: "few",
    5: "many",
    11: "many",
    12: "many",
    14: "many",
    21: "one",
    22: "few",
    25: "many",
    101: "one",
    111: "many",
    1000: "many",
}
COUNTS = sorted(READING)
DAY = {"one": "день", "few": "дня", "many": "дней"}
CHARACTER = {"one": "символ", "few": "символа", "many": "символов"}


@pytest.mark.parametrize("n", COUNTS)
def test_plural_picks_the_form_the_count_is_read_with(n: int) -> None:
    assert plural(n, "день", "дня", "дней") == DAY[READING[n]]


@pytest.mark.parametrize("n", [n for n in COUNTS if n])
def test_a_negative_change_takes_the_form_of_its_size(n: int) -> None:
    """−1 день, −3 дня: Python's -1 % 10 is 9, which once read «−1 дней»."""
    assert plural(-n, "день", "дня", "дней") == DAY[READING[n]]


@pytest.mark.parametrize("n", [1, 2, 3, 5, 21, 22, 25, 101, 111])
def test_too_short_names_the_minimum_in_the_right_form(n: int) -> None:
    """Forms ask at least 5 characters of an announcement: «хотя бы 5 символа» before."""
    assert f"нужно хотя бы {n} {CHARACTER[READING.get(n, 'few')]}." in forms.text_too_short(n)


@pytest.mark.parametrize("length", [1001, 1002, 1005, 1011, 1021, 4002, 4000])
def test_too_long_names_the_length_in_the_right_form(length: int) -> None:
    reading = {1001: "one", 1002: "few", 1021: "one", 4002: "few"}.get(length, "many")
    text = forms.text_too_long(1000, length)
    assert f"Слишком длинно: {length} {CHARACTER[reading]}, можно не больше 1000." in text
