"""Russian grammar the texts share: the form a word takes after a number.

One helper, so that every text reads «1 отчёт, 3 отчёта, 5 отчётов» alike, also where the
number is a setting an operator may change (``tests/test_russian_numbers.py``).
"""

from __future__ import annotations


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian form of a noun (or verb) after the number ``n``: 1 день, 3 дня, 7 дней, 11 дней,
    21 день. A change keeps the form of its size (−1 день, −3 дня): Python's ``%`` of a negative
    number is not its last digit. After «из», «больше» pass the genitive forms (из 21 строки,
    из 5 строк)."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many
