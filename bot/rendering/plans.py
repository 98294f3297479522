"""A plan's progress as message lines, and as the review's .xlsx (one row per item and unit)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.domain.plans import ItemStatus, PlanProgress, Unit
from bot.rendering.xlsx import build_table_xlsx
from bot.texts import plan_marks as tm
from bot.texts import plans as t
from storage.models import PlanMark


def progress_lines(progress: Sequence[PlanProgress], *, items: bool = True) -> list[str]:
    """Each plan's counts, then (``items``) its items: state, deadline, who, and for a shared
    item how many ППО have done it and which have not, with the hint how to change one."""
    lines: list[str] = []
    for plan in progress:
        if lines:
            lines.append("")
        lines.append(
            t.plan_header(
                plan.plan.title,
                len(plan.items),
                plan.count(t.STATE_DONE),
                plan.count(t.STATE_OVERDUE),
                plan.count(t.STATE_UPCOMING),
                plan.stages_done(),
            )
        )
        if items:
            lines += [_item_line(status) for status in plan.items]
    return [*lines, "", t.PROGRESS_HINT] if items else lines


def _item_line(status: ItemStatus) -> str:
    """The item's state and nearest stage; who has done it, and who marked a stage late."""
    item = status.item
    shared = None
    if len(status.units) > 1:
        missing, owing = [u.name for u in status.missing], len(status.owing)
        shared = (owing - len(missing), owing, missing)
    stage = (status.stage + 1, len(status.stages)) if len(status.stages) > 1 else None
    late = [(unit.name, days) for unit in status.units if (days := status.late(unit.id))]
    handed = [
        _done_by(day, mark, who)
        for u in status.units
        for day, mark, who in status.done_before(u.id)
    ]
    return t.item_status(
        item.id,
        item.number,
        item.text,
        status.state,
        status.deadline,
        stage,
        status.responsible,
        shared,
        late,
        handed,
    )


def _done_by(day: date, mark: PlanMark, who: str) -> tuple[date, date, str]:
    """A stage done by one who answered for the item before, as ``t.done_by`` takes it."""
    return day, mark.done_on, who


def _mark_text(marks: Sequence[PlanMark], handed: dict[int, str]) -> str:
    """The latest mark's note (of the last stage done), with who made it when it was one who
    answered for the item before."""
    if not marks:
        return ""
    mark = marks[-1]
    if mark.file_id:
        text = tm.note_shown(
            {"file_id": mark.file_id, "file_kind": mark.file_kind, "file_name": mark.file_name}
        )
    else:
        text = mark.note or ""
    return f"{text} ({handed[mark.id]})" if mark.id in handed else text


def _stages_cell(status: ItemStatus, unit: Unit | None) -> str:
    """«2 из 4» of an item in stages, of the stages the unit owes (none before it got the item),
    with those marked late; empty for one deadline."""
    if len(status.stages) <= 1:
        return ""
    if unit is None:
        return t.stages_done(0, len(status.stages))
    handed = [_done_by(day, mark, who) for day, mark, who in status.done_before(unit.id)]
    return t.stages_done(
        status.settled(unit.id), status.counted(unit.id), status.late(unit.id), handed
    )


def review_rows(progress: Sequence[PlanProgress]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for plan in progress:
        for status in plan.items:
            item = status.item
            units: Sequence[Unit | None] = status.units or [None]
            for unit in units:
                done = status.marks.get(unit.id, {}) if unit is not None else {}
                marks = [done[day] for day in sorted(done)]
                late = status.late(unit.id) if unit is not None else []
                state = status.unit_state(unit.id) if unit is not None else status.state
                rows.append(
                    (
                        plan.plan.title,
                        item.number,
                        item.text,
                        status.unit_deadline(unit.id) if unit is not None else status.deadline,
                        status.responsible,
                        unit.name if unit is not None else "",
                        t.STATE_DONE_LATE if state == t.STATE_DONE and late else state,
                        marks[-1].done_on if marks else None,
                        _mark_text(marks, status.handed),
                        _stages_cell(status, unit),
                    )
                )
    return rows


def review_xlsx(progress: Sequence[PlanProgress]) -> bytes:
    return build_table_xlsx(t.REVIEW_SHEET, t.REVIEW_COLUMNS, review_rows(progress))


def template_xlsx() -> bytes:
    return build_table_xlsx(t.TEMPLATE_SHEET, t.TEMPLATE_HEADERS, t.TEMPLATE_ROWS)
