"""What staff get of a form beyond its answers is read off its declaration: the kinds /request
offers and the forms' sections of the digest (``bot/forms/digest_section.py``)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.digest import DigestData, build_digest
from bot.domain.passport import PASSPORT_FORM
from bot.domain.requests import request_form
from bot.forms.digest_section import DigestSection, read_sections
from bot.forms.engine import Choice
from bot.forms.registry import CHAIR_FORMS, DIGEST_SECTIONS, form_named
from bot.rendering.digest import digest_text
from storage.digest import ScopeInfo
from storage.models import CollectionKind, OrgKind

TODAY = date(2026, 11, 21)


def _kinds(form_name: str) -> tuple[Choice, ...]:
    form = form_named(form_name)
    assert form is not None
    return form.spec.field("kind").choices


def test_request_offers_the_requested_chair_forms_as_collection_kinds() -> None:
    kinds = _kinds("request")
    assert [(choice.value, choice.label) for choice in kinds] == [
        ("membership", "Мониторинг численности"),
        ("passport", "Паспорт ППО"),
    ]
    assert {choice.value for choice in kinds} <= {kind.value for kind in CollectionKind}


def test_a_form_declared_requested_is_offered_by_request() -> None:
    extra = dataclasses.replace(PASSPORT_FORM, name="reserve_list", request_kind="Резерв")
    form = request_form([*CHAIR_FORMS, extra])
    offered = [choice.value for choice in form.spec.field("kind").choices]
    assert offered == ["membership", "passport", "reserve_list"]


def test_the_passport_is_the_digests_section() -> None:
    assert (PASSPORT_FORM.digest,) == DIGEST_SECTIONS


async def test_sections_are_read_for_the_scope_and_drawn_under_the_events() -> None:
    asked: list[tuple[int, date]] = []

    async def load(session: AsyncSession, scope_org_id: int, today: date) -> int:
        asked.append((scope_org_id, today))
        return 7

    def lines(value: int, cap: int) -> list[str]:
        return [f"Раздел формы: {value}, списки до {cap}"]

    section: DigestSection[Any] = DigestSection(load, lines)
    session: Any = None  # the section's own load reads nothing else
    read = await read_sections([section], session, 42, TODAY)
    assert asked == [(42, TODAY)]
    data = DigestData(
        scope=ScopeInfo(42, OrgKind.DISTRICT, "Район", None),
        period=date(2026, 11, 1),
        today=TODAY,
        tz="Europe/Moscow",
        ppos=[],
        reports={},
        previous={},
        collection=None,
        events_since=date(2026, 11, 14),
        sections=read,
    )
    text = digest_text(build_digest(data))
    assert "Раздел формы: 7, списки до 10" in text
    assert text.index("Мероприят") < text.index("Раздел формы")
