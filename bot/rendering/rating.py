"""The yearly rating rendered for people: the message (one phone screen) and the full table.

How the rating is computed, and why, is in ``bot.domain.rating``. Numbers are rounded half up,
as people round by hand (``bot.domain.coverage.half_up``, the rule of every message and table).
Pure: no Telegram, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.domain.coverage import format_percent, format_points, half_up, rounded, rounded_percent
from bot.domain.rating import DEFAULT_WEIGHTS, Criterion, RatedOrg, Rating, RatingWeights, Unrated
from bot.rendering.tables import Column, fit_to_screen, headers, short, table_xlsx
from bot.texts import common
from bot.texts import rating as t
from storage.rating import ReportFigures

TOP_COUNT = 5
BOTTOM_COUNT = 5
# (name length, names of unrated ППО) tried in turn until the message fits: names stay
# readable as long as possible, the list of ППО without data (also in the file) goes first.
_FITS = ((40, 5), (40, 3), (32, 3), (32, 0), (28, 0), (24, 0), (16, 0))
_EPSILON = 1e-9


# --- Text -----------------------------------------------------------------------------------


def number(value: float, digits: int = 1) -> str:
    """Rounded half up, a comma, trailing zeros dropped: 82,5 / 70 / 0,15."""
    text = f"{half_up(value, digits):.{digits}f}".replace(".", ",")
    return text.rstrip("0").rstrip(",") if "," in text else text


def formula_terms(weights: RatingWeights, names: Mapping[str, str]) -> str:
    """«0,3 × охват + 0,2 × динамика + …» (criteria with weight 0 are left out)."""
    return " + ".join(
        f"{number(w, 2)} × {names[c.value]}" for c, w in weights.items() if w > _EPSILON
    )


def formula_text(weights: RatingWeights = DEFAULT_WEIGHTS) -> str:
    """The formula paragraph of the message (HTML)."""
    return t.formula(formula_terms(weights, t.CRITERIA_SHORT))


def formula_plain(weights: RatingWeights = DEFAULT_WEIGHTS) -> str:
    """The formula in full words, as the spreadsheet's last row."""
    return t.formula_plain(formula_terms(weights, t.CRITERIA))


def _line(org: RatedOrg, limit: int) -> str:
    youth = None
    if org.youth is not None:
        youth = format_percent(org.youth)
    elif org.scores.get(Criterion.YOUTH) is not None:
        youth = t.YOUTH_NOT_GIVEN_SHORT
    return t.line(
        org.place or 0,
        short(org.row.name, limit),
        number(org.total or 0.0),
        t.figures(
            format_percent(org.coverage),
            None if org.shown_change is None else format_points(org.shown_change),
            youth,
        ),
    )


def _lines(rating: Rating, limit: int, no_data_cap: int) -> list[str]:
    lines = [
        t.header(rating.year, rating.as_of),
        t.scope_line(rating.scope.name, len(rating.rated), len(rating.orgs)),
    ]
    if not rating.orgs:
        return [*lines, "", t.NO_PPO]
    rated, unrated = rating.rated, rating.unrated
    lines += ["", formula_text(rating.weights), ""]
    if not rated:
        lines.append(t.NOBODY_RATED)
    else:
        top = rated[:TOP_COUNT]
        bottom = rated[TOP_COUNT:][-BOTTOM_COUNT:]
        lines.append(t.TOP)
        lines += [_line(org, limit) for org in top]
        if bottom:
            lines += ["", t.BOTTOM]
            lines += [_line(org, limit) for org in bottom]
    if unrated:
        names = [short(org.row.name, limit) for org in unrated[:no_data_cap]]
        if len(unrated) > no_data_cap:
            names.append(common.more(len(unrated) - no_data_cap) if names else t.SEE_LIST)
        lines += ["", t.no_data(len(unrated), names)]
    if rated:
        lines += ["", t.SEE_FILE]
    return lines


def rating_text(rating: Rating) -> str:
    """The message (HTML): title, the formula with its weights, top 5 and bottom 5 with scores
    and key figures, the ППО without data. Fits one phone screen."""
    return fit_to_screen(lambda fit: _lines(rating, *fit), _FITS)


# --- Spreadsheet ----------------------------------------------------------------------------


def _score(criterion: Criterion) -> Callable[[Rating, RatedOrg], object]:
    """The criterion's score to 2 digits, a mark when it does not apply, empty when unrated."""

    def cell(_: Rating, org: RatedOrg) -> object:
        if not org.rated:
            return None
        value = org.scores.get(criterion)
        return t.NOT_APPLICABLE if value is None else half_up(value, 2)

    return cell


def _note(org: RatedOrg) -> str | None:
    if org.unrated is Unrated.NO_REPORT:
        return t.REASON_NO_REPORT
    if org.unrated is Unrated.NO_WORKERS:
        return t.REASON_NO_WORKERS
    if org.youth_not_given:
        return f"{t.CRITERIA['youth']}: {t.YOUTH_NOT_GIVEN}"
    return None


def _period(report: ReportFigures | None) -> str | None:
    return None if report is None else common.period_name(report.period)


_Column = Column[Rating, RatedOrg]
TABLE_COLUMNS: tuple[_Column, ...] = (
    _Column(t.H_PLACE, lambda _, org: org.place if org.place is not None else "—"),
    _Column(t.H_PPO, lambda _, org: org.row.name),
    _Column(t.H_DISTRICT, lambda _, org: org.row.district_name),
    _Column(t.H_PERIOD, lambda _, org: _period(org.row.last)),
    _Column(t.H_WORKERS, lambda _, org: None if org.row.last is None else org.row.last.workers),
    _Column(t.H_MEMBERS, lambda _, org: None if org.row.last is None else org.row.last.members),
    _Column(t.H_COVERAGE, lambda _, org: rounded_percent(org.coverage)),
    _Column(t.h_score(t.CRITERIA_SHORT["coverage"]), _score(Criterion.COVERAGE)),
    _Column(t.H_BASELINE, lambda _, org: _period(org.row.baseline)),
    _Column(t.H_CHANGE, lambda _, org: org.shown_change),
    _Column(t.h_score(t.CRITERIA_SHORT["change"]), _score(Criterion.CHANGE)),
    _Column(t.H_YOUTH, lambda _, org: rounded_percent(org.youth)),
    _Column(t.h_score(t.CRITERIA_SHORT["youth"]), _score(Criterion.YOUTH)),
    _Column(t.H_TARGETS, lambda _, org: org.row.targets),
    _Column(t.H_ON_TIME, lambda _, org: org.row.on_time),
    _Column(t.H_ON_TIME_SHARE, lambda _, org: rounded_percent(org.on_time)),
    _Column(t.h_score(t.CRITERIA_SHORT["on_time"]), _score(Criterion.ON_TIME)),
    _Column(t.H_EVENTS, lambda _, org: org.row.events),
    _Column(t.h_score(t.CRITERIA_SHORT["events"]), _score(Criterion.EVENTS)),
    _Column(t.H_PARTICIPANTS, lambda _, org: org.row.participants),
    _Column(t.H_REACH, lambda _, org: rounded(org.reach)),
    _Column(t.h_score(t.CRITERIA_SHORT["reach"]), _score(Criterion.REACH)),
    _Column(t.H_TOTAL, lambda _, org: t.NO_DATA if org.total is None else half_up(org.total, 2)),
    _Column(t.H_NOTE, lambda _, org: _note(org)),
)
TABLE_HEADERS = headers(TABLE_COLUMNS)


def rating_xlsx(rating: Rating) -> bytes:
    """The full table: place, ППО, every criterion's raw value and score, the total; after a
    blank row, the formula in words."""
    title = t.SHEET_TITLE.format(year=rating.year)
    footer = [[], [None, formula_plain(rating.weights)]]
    return table_xlsx(title, TABLE_COLUMNS, rating, rating.orgs, footer=footer)


def rating_file_name(year: int) -> str:
    return t.FILE_NAME.format(year=year)
