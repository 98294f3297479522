"""Every question of every declared form: an answer given before (last time's, the question's
own before it was asked again, «как в прошлый раз»'s) is taken as the same answer typed now
(``Field.typed``, then the parser), and «Отправить» reads every kept answer so again. So what
``typed`` writes must read back as the value itself; a question whose value cannot
(``Field.rereadable=False``, its reason at the declaration) offers no old answer at all.

The forms are the registry's (``bot.forms.registry.FORMS``, what /help and the menu are read
off), so a form declared later is walked too; its values are what its parser makes of the
samples below, and what a person gives other than by typing (photos, a file)."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from bot.domain.plan_done import DONE_SPEC, file_note
from bot.forms.attachment import Attachment
from bot.forms.engine import Field, FormSpec, InvalidAnswer, ParseEnv
from bot.forms.registry import FORMS
from handlers import keyboards

ENV = ParseEnv(today=date(2026, 11, 21), time_of_day=time(9, 0))
SAMPLES = (
    *("0", "1", "54", "1 234", "100 000", "25 чел."),  # counts
    *("3 1 0 0", "2 1"),  # the split of «выбыло»
    *("Актовый зал школы № 1", "  Дом   профсоюзов ", "Первая строка\nвторая  строка"),
    *("21.11.2026", "сегодня", "вчера", "19–21.11.2026", "30.11–02.12", "29.12.2026–09.01.2027"),
    *("31.12.2026", "01.02", "15.03.2020"),  # a day to come, a day held
    *("04.12.2026 10:00", "5.12 в 10.00"),  # a district event's start
    *("school1.ru/profsoyuz", "[ВК](https://vk.com/club1)", "8 (912) 345-67-89"),
    *("Europe/Moscow", "Москва", "МСК+4"),
    *("в течение года", "март, июнь, октябрь, декабрь 2027", "до 1 февраля", "ежеквартально"),
    *("12", "3,5", "Провели собрание, 40 человек"),  # a plan item's note
    *("<b>Важно</b>: приходите <a href='https://t.me/x'>сюда</a>", "все ППО", "да", "нет"),
)
GIVEN_OTHERWISE: dict[tuple[str, str], tuple[Any, ...]] = {
    (DONE_SPEC.name, "note"): (file_note("BQACAgIAAx", "document", "Протокол.pdf"),),
}
"""Values a question takes from a file sent in the chat that its declaration does not name
(the «Выполнено» note: handled beside the form, ``handlers/plans.py``)."""


def _fields() -> list[tuple[FormSpec, Field]]:
    specs = {form.spec.name: form.spec for form in FORMS}  # a report and its correction: one
    return [(spec, field) for spec in specs.values() for field in spec.fields]


def _given_otherwise(spec: FormSpec, field: Field) -> tuple[Any, ...]:
    photos = (["AgACAgIAAxk1", "AgACAgIAAxk2"],) if field.photos else ()
    sent = (
        (Attachment("document", "BQACAgIAAx", "Положение.pdf").as_answer(),) if field.file else ()
    )
    return (*photos, *sent, *GIVEN_OTHERWISE.get((spec.name, field.name), ()))


def _values(spec: FormSpec, field: Field) -> list[Any]:
    """What the question may hold: its parser's readings of the samples and of its buttons
    («не знаю»'s None is no answer to offer), and what is given other than by typing."""
    typed = (*SAMPLES, *(c.value for c in field.choices), *(c.label for c in field.choices))
    values = []
    for raw in typed:
        try:
            value = field.parse(raw, ENV)
        except InvalidAnswer:
            continue
        if value is not None and value not in values:
            values.append(value)
    return values + list(_given_otherwise(spec, field))


def _reads_back(field: Field, value: Any) -> bool:
    try:
        return bool(field.parse(field.typed(value), ENV) == value)
    except InvalidAnswer:
        return False


FIELDS = _fields()


@pytest.mark.parametrize(
    ("spec", "field"), FIELDS, ids=[f"{spec.name}.{field.name}" for spec, field in FIELDS]
)
def test_an_answer_given_before_reads_back_as_itself_or_is_never_offered(
    spec: FormSpec, field: Field
) -> None:
    values = _values(spec, field)
    assert values, "no sample is an answer to this question: add one to SAMPLES"
    if field.rereadable:
        for value in values:
            assert field.parse(field.typed(value), ENV) == value, field.typed(value)
            assert spec.refusal(field.name, value, ENV) is None
        return
    # Not offered: as last time's value, as its own old answer, nor by «как в прошлый раз»;
    # and marked so for a reason, not for nothing: some value of it does not read back.
    for value in values:
        assert keyboards.one_tap(field, previous=value, earlier=value) is None, value
    assert spec.shortcut is None or field.name not in spec.shortcut.fields
    assert not all(_reads_back(field, value) for value in values)


def test_every_declared_form_is_walked() -> None:
    """The walk above is the registry's: every form's every question, a report's and its
    correction's once."""
    walked = {(spec.name, field.name) for spec, field in FIELDS}
    for form in FORMS:
        assert {(form.spec.name, f.name) for f in form.spec.fields} <= walked, form.name
    assert len(walked) == len(FIELDS)
