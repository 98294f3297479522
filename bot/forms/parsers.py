"""Parsers for typed answers: each returns a JSON-safe value or raises InvalidAnswer."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from bot.forms.engine import Choice, InvalidAnswer, ParseEnv, Parser
from bot.texts import forms as t

# Digits are ASCII only: «5²», «①», «٣» or full-width digits pass ``str.isdigit()`` (and some
# pass ``\d``) but are no number a person means; they get the parser's usual refusal.
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")
_UNIT = re.compile(r"\s*(чел\.?|человек[а]?)\s*$", re.IGNORECASE)
_FRACTION = re.compile(r"^-?[0-9]+[.,][0-9]+$")
_THOUSAND_DOTS = re.compile(r"[-−]?[1-9][0-9]{0,2}(?:\.[0-9]{3})+")  # «1.200», «1.234.567»
_DASHES = re.compile(r"\s*[-–—]\s*")
_DATE = re.compile(r"^([0-9]{1,2})[./]([0-9]{1,2})(?:[./]([0-9]{2}|[0-9]{4}))?$")
_DAY_ONLY = re.compile(r"^([0-9]{1,2})$")
_DATE_TAIL = re.compile(r"(?:(?<=[0-9])\.?(?:г|год|года)\.?|\.)$")  # «21.11.2026 г.», «21.11.»
_PHONE_CHARS = re.compile(r"[\s()\-–.]")
_ASCII_DIGITS = re.compile(r"[0-9]+")
_MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\((\S+)\)")  # [ВК](https://vk.com/club1)

TODAY = "today"
YESTERDAY = "yesterday"
MAX_EVENT_DAYS = 60
YES, NO = "yes", "no"
DEADLINE_HORIZON_YEARS = 1
EARLIEST_YEAR = 2000
"""No event of ours is older: a year before it is a typo («19.11.1926» for 2026)."""


RECORD_NUMBER_MAX = 2**31 - 1
"""The largest № a record of ours can have (an INTEGER key on PostgreSQL): a longer number
typed after a command names nothing, and the database would refuse even to look it up."""
TELEGRAM_ID_MAX = 2**63 - 1  # a BIGINT


def record_number(raw: str, limit: int = RECORD_NUMBER_MAX) -> int | None:
    """The № of a record (or, with ``limit``, a Telegram id) typed after a command: as
    :func:`typed_int`, and None past ``limit``."""
    number = typed_int(raw)
    return number if number is not None and number <= limit else None


def org_number(raw: str) -> int | None:
    """An organization's number typed after a command, written as the bot shows it: «123»
    (``/trends 123``, ``/org 123``) or «#123» (/orgs, an organization's card). «№ 3» is not
    one: ППО are named «Гимназия № 3» everywhere, so it is a part of a name."""
    return record_number(raw.strip().removeprefix("#"))


def typed_int(raw: str) -> int | None:
    """A whole number as a person types it: ASCII digits, spaces (also no-break and thin ones)
    as thousands separators; anything else (letters, «5²», «①», «٣») is None."""
    text = _SPACES.sub("", raw.strip())
    return int(text) if _ASCII_DIGITS.fullmatch(text) else None


def whole_number(*, minimum: int = 0, maximum: int = 100_000) -> Parser:
    """A count typed by a person: «1 234», «1.234», «25 чел.» are fine; letters, fractions
    are not."""

    def parse(raw: str, env: ParseEnv) -> int:
        text = _UNIT.sub("", raw.strip().removesuffix("."))  # «54.»: a phone's double space
        text = _thousands(_SPACES.sub("", text))
        if not text:
            raise InvalidAnswer(t.EMPTY_ANSWER)
        if _FRACTION.match(text):
            raise InvalidAnswer(t.FRACTION)
        if text.startswith(("-", "−")) and typed_int(text[1:]) is not None:
            raise InvalidAnswer(t.NEGATIVE)
        value = typed_int(text)
        if value is None:
            raise InvalidAnswer(t.NOT_A_NUMBER)
        if value > maximum:
            raise InvalidAnswer(t.too_big(maximum))
        if value < minimum:
            raise InvalidAnswer(t.too_small(minimum))
        return value

    return parse


def _thousands(text: str) -> str:
    """«1.200» without its dots: many write thousands with a dot as with a space, and it is
    no fraction they mean. «1.5», «1.20», «0.500» and «1,200» are not taken for thousands."""
    return text.replace(".", "") if _THOUSAND_DOTS.fullmatch(text) else text


_PART_SEPARATORS = re.compile(r"[\s\u00a0\u2009\u202f,;/+]+")
UNKNOWN_WORDS = frozenset({"не знаю", "незнаю", "нет данных", "неизвестно", "?", "-", "—"})


def number_parts(parts: int, *, maximum: int = 100_000) -> Parser:
    """A whole split into ``parts`` counts on one line: «3 1 0 0» (commas or semicolons work
    too; counts left off at the end are 0). «не знаю» is None: the split is not known."""

    def parse(raw: str, env: ParseEnv) -> list[int] | None:
        text = raw.strip().casefold().rstrip(".!")
        if text in UNKNOWN_WORDS:
            return None
        tokens = [token for token in _PART_SEPARATORS.split(text) if token]
        if not tokens:
            raise InvalidAnswer(t.EMPTY_ANSWER)
        if len(tokens) > parts:
            raise InvalidAnswer(t.too_many_parts(parts, len(tokens)))
        values = [typed_int(token) for token in tokens]
        if any(value is None for value in values):
            raise InvalidAnswer(t.parts_format(parts))
        counts = [value for value in values if value is not None]
        if any(value > maximum for value in counts):
            raise InvalidAnswer(t.too_big(maximum))
        return counts + [0] * (parts - len(counts))

    return parse


def text(*, maximum: int, minimum: int = 2, one_line: bool = False) -> Parser:
    """Free text, trimmed, within bounds; a wall of text is refused with the limit stated.
    ``one_line``: a name, whose line breaks (a paste) fold into spaces."""

    def parse(raw: str, env: ParseEnv) -> str:
        value = " ".join(raw.split()) if one_line or "\n" not in raw else raw.strip()
        if len(value) < minimum:
            raise InvalidAnswer(t.text_too_short(minimum))
        if len(value) > maximum:
            raise InvalidAnswer(t.text_too_long(maximum, len(value)))
        return value

    return parse


def choice(options: tuple[Choice, ...]) -> Parser:
    """One of the buttons; typing the button's words works too."""
    by_value = {option.value: option.value for option in options}
    by_label = {option.label.casefold(): option.value for option in options}

    def parse(raw: str, env: ParseEnv) -> str:
        key = raw.strip()
        found = by_value.get(key) or by_label.get(key.casefold())
        if found is None:
            raise InvalidAnswer(t.CHOOSE_BUTTON)
        return found

    return parse


def yes_no(raw: str, env: ParseEnv) -> bool:
    key = raw.strip().casefold()
    if key in {YES, "да", "есть", "+"}:
        return True
    if key in {NO, "нет", "-"}:
        return False
    raise InvalidAnswer(t.YES_OR_NO)


YES_NO_CHOICES = (Choice(YES, t.BTN_YES), Choice(NO, t.BTN_NO))


def show_yes_no(value: Any) -> str:
    return t.BTN_YES if value else t.BTN_NO


def _year(raw: str | None, day: int, month: int, env: ParseEnv, *, ahead: bool) -> int:
    """The year typed (two digits: this century) or, none typed, the likely one: for a day
    ahead (``ahead``: a deadline, a pause, an agreement's end) the next such day, «10.01»
    typed in December is January next; for a day held, «21.11» typed in January is last
    November, not a date ten months ahead."""
    if raw is not None:
        year = int(raw)
        return year + 2000 if year < 100 else year
    guess = env.today.year
    try:
        typed = date(guess, month, day)
    except ValueError:  # 29.02 of a common year: said so with the year it was taken for
        return guess
    if ahead:
        return guess + 1 if typed < env.today else guess
    return guess - 1 if typed > env.today + timedelta(days=62) else guess


def event_years(today: date) -> range:
    """The years an event may be dated in: from ``EARLIEST_YEAR`` to next year (one filed in
    December for January passes after the «ещё не наступила» warning). /events opens the
    same years, so no event is stored where its chair cannot open it again."""
    return range(EARLIEST_YEAR, today.year + 2)


def _one_date(
    raw: str,
    env: ParseEnv,
    *,
    fallback: tuple[int, int] | None = None,
    unclear: str = t.DATE_FORMAT,
    ahead: bool = False,
    years: range | None = None,
) -> date:
    """A day as typed; ``unclear``: what to say to text that is no date (the examples the
    question takes); ``years``: the years it may fall in (a typed one outside is refused,
    named). A year word or a full stop after it («2026 г.», a phone's double space) is
    taken off."""
    raw = _DATE_TAIL.sub("", raw)
    match = _DATE.match(raw)
    if match is None and fallback is not None and (only := _DAY_ONLY.match(raw)):
        month, year = fallback
        try:
            return date(year, month, int(only.group(1)))
        except ValueError:
            raise InvalidAnswer(t.no_such_date(f"{only.group(1)}.{month:02d}.{year}")) from None
    if match is None:
        raise InvalidAnswer(unclear)
    day, month = int(match.group(1)), int(match.group(2))
    year = _year(match.group(3), day, month, env, ahead=ahead)
    if years is not None and year not in years:
        raise InvalidAnswer(t.year_out_of_range(year, years[0], years[-1]))
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidAnswer(t.no_such_date(f"{day:02d}.{month:02d}.{year}")) from None


def date_range(raw: str, env: ParseEnv) -> dict[str, str]:
    """«21.11.2026», «21.11», «19–21.11.2026», «30.11–02.12», «сегодня», «вчера»."""
    key = raw.strip().casefold()
    if key in {TODAY, "сегодня"}:
        day = env.today
        return {"from": day.isoformat(), "to": day.isoformat()}
    if key in {YESTERDAY, "вчера"}:
        day = env.today - timedelta(days=1)
        return {"from": day.isoformat(), "to": day.isoformat()}
    parts = _DASHES.split(_SPACES.sub("", key).replace(",", "."))
    years = event_years(env.today)
    if len(parts) == 1:
        day = _one_date(parts[0], env, years=years)
        return {"from": day.isoformat(), "to": day.isoformat()}
    if len(parts) != 2:
        raise InvalidAnswer(t.DATE_FORMAT)
    end = _one_date(parts[1], env, years=years)
    start = _one_date(parts[0], env, fallback=(end.month, end.year), years=years)
    if start > end and not _year_typed(parts[1]):
        end = _over_new_year(start, end)
    if start > end:
        raise InvalidAnswer(t.DATE_ORDER)
    if (end - start).days > MAX_EVENT_DAYS:
        raise InvalidAnswer(t.date_span_too_long(MAX_EVENT_DAYS))
    return {"from": start.isoformat(), "to": end.isoformat()}


def _over_new_year(start: date, end: date) -> date:
    """«29.12–09.01»: an end typed without a year before the start is in next January, if
    that makes a span the form takes. Only asked for such an end (its year is this one or
    the last), so no typed year can push the sum past the calendar's last year."""
    later = _years_later(end, 1)
    return later if (later - start).days <= MAX_EVENT_DAYS else end


def _year_typed(raw: str) -> bool:
    match = _DATE.match(_DATE_TAIL.sub("", raw))
    return match is not None and match.group(3) is not None


def show_date_range(value: Any) -> str:
    start, end = date.fromisoformat(value["from"]), date.fromisoformat(value["to"])
    if start == end:
        return start.strftime("%d.%m.%Y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day:02d}–{end.strftime('%d.%m.%Y')}"
    return f"{start.strftime('%d.%m.%Y')}–{end.strftime('%d.%m.%Y')}"


def date_ahead(raw: str, env: ParseEnv) -> str:
    """A day to come: typed without a year, the next such day from today on."""
    typed = _SPACES.sub("", raw.strip()).replace(",", ".")
    return _one_date(typed, env, unclear=t.ONE_DATE_FORMAT, ahead=True).isoformat()


def date_held(raw: str, env: ParseEnv) -> str:
    """A day already come (a public report given): typed without a year, the latest such day
    up to today; a day ahead or before ``EARLIEST_YEAR`` is refused, saying why."""
    typed = _SPACES.sub("", raw.strip()).replace(",", ".")
    day = _one_date(typed, env, unclear=t.ONE_DATE_FORMAT)
    if day > env.today and not _year_typed(typed):
        day = _years_later(day, -1)
    if day > env.today:
        raise InvalidAnswer(t.DATE_NOT_COME)
    if day.year < EARLIEST_YEAR:
        raise InvalidAnswer(t.date_before(EARLIEST_YEAR))
    return day.isoformat()


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def not_past(value: str, env: ParseEnv) -> str | None:
    """A ``deadline`` kept in a draft since a day now gone is past: why, else None."""
    return t.DEADLINE_PAST if date.fromisoformat(value) < env.today else None


def deadline(raw: str, env: ParseEnv) -> str:
    """A deadline: a real date from today to a year ahead.

    The upper bound is not cosmetic: a deadline in the year 9999 overflows the reminder
    arithmetic of every scheduler tick.
    """
    value = date_ahead(raw, env)
    day = date.fromisoformat(value)
    if day < env.today:
        raise InvalidAnswer(t.DEADLINE_PAST)
    latest = _years_later(env.today, DEADLINE_HORIZON_YEARS)
    if day > latest:
        raise InvalidAnswer(t.deadline_too_far(latest.strftime("%d.%m.%Y")))
    return value


def show_date(value: Any) -> str:
    return date.fromisoformat(value).strftime("%d.%m.%Y")


def link(raw: str, env: ParseEnv) -> str:
    """A web address: «school1.ru/profsoyuz» gets https://, a link copied as ``[ВК](address)``
    is its address; other text is refused."""
    value = raw.strip()
    if copied := _MARKDOWN_LINK.fullmatch(value):
        value = copied.group(1)
    if " " in value or "." not in value:
        raise InvalidAnswer(t.BAD_LINK)
    if not re.match(r"^https?://", value, re.IGNORECASE):
        value = f"https://{value}"
    try:
        host = urlsplit(value).hostname or ""
    except ValueError:  # square brackets that are no IPv6 address: «[vk.com»
        raise InvalidAnswer(t.BAD_LINK) from None
    labels = host.split(".")
    if len(labels) < 2 or not all(labels) or len(labels[-1]) < 2 or len(value) > 500:
        raise InvalidAnswer(t.BAD_LINK)
    return value


def phone(raw: str, env: ParseEnv) -> str:
    """A Russian phone number in any usual spelling, stored as +7XXXXXXXXXX."""
    digits = _PHONE_CHARS.sub("", raw.strip())
    if digits.startswith("+"):
        digits = digits[1:]
    if not _ASCII_DIGITS.fullmatch(digits):
        raise InvalidAnswer(t.BAD_PHONE)
    if len(digits) == 11 and digits[0] in "78":
        return "+7" + digits[1:]
    if len(digits) == 10 and digits[0] == "9":
        return "+7" + digits
    raise InvalidAnswer(t.BAD_PHONE)


def either(*parsers: Parser) -> Parser:
    """The first parser that accepts the text wins; the last one's complaint is shown."""

    def parse(raw: str, env: ParseEnv) -> Any:
        error: InvalidAnswer | None = None
        for parser in parsers:
            try:
                return parser(raw, env)
            except InvalidAnswer as problem:
                error = problem
        assert error is not None
        raise error

    return parse


def photos_only(raw: str, env: ParseEnv) -> Any:
    """The answer to a photo question is photos; typed text gets told so."""
    raise InvalidAnswer(t.PHOTO_EXPECTED)


def keyword(words: set[str], value: str) -> Parser:
    def parse(raw: str, env: ParseEnv) -> str:
        if raw.strip().casefold() in words:
            return value
        raise InvalidAnswer(t.CHOOSE_BUTTON)

    return parse
