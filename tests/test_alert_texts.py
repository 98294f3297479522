"""Every text a tapped button is answered with (a toast or an alert) fits Telegram's 200
characters: a longer one is refused whole, and the person is left with a spinner and no answer.

The answers are found in the handlers' source, so a new one is checked too: a constant is
read from its texts module; a text built at the tap must be listed in ``BUILT`` with its
worst case (12 monthly stages, a list of 400 days), or this test names where it is."""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

from bot.texts import common
from bot.texts import plan_marks as tpm
from bot.texts.markup import ALERT_LIMIT, utf16_len
from fakes.telegram_server import MAX_CALLBACK_ANSWER_LENGTH

HANDLERS = Path(__file__).resolve().parent.parent / "handlers"

MONTH_ENDS = (
    *(date(2027, month + 1, 1) - timedelta(days=1) for month in range(1, 12)),
    date(2027, 12, 31),
)
EVERY_DAY = tuple(date(2027, 1, 1) + timedelta(days=n) for n in range(400))


def plan_mark_alerts() -> Iterator[str]:
    """What ``bot.domain.plan_done.may_mark`` answers «Выполнено» with when it marks nothing."""
    yield from (common.NO_RIGHTS, tpm.NOT_YOURS, tpm.ALREADY_DONE, tpm.ITEM_GONE)
    for stages in (MONTH_ENDS, EVERY_DAY, (date(2027, 12, 31),)):
        yield tpm.stage_gone(date(2027, 6, 29), stages)
    yield tpm.stage_not_owed(date(2027, 12, 31), date(2027, 12, 31))
    yield tpm.stage_already_done(date(2027, 12, 31))


BUILT: dict[tuple[str, str], Callable[[], Iterator[str]]] = {
    ("plans.py", "_mark"): plan_mark_alerts,
}
"""(handler module, function) answering a tap with a text it is given: its texts, worst case."""


def _texts_modules(tree: ast.Module) -> dict[str, str]:
    """alias -> module of ``from bot.texts import x as alias``."""
    return {
        name.asname or name.name: f"{node.module}.{name.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "bot.texts"
        for name in node.names
    }


def _is_query(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "query") or (
        isinstance(node, ast.Attribute) and node.attr == "query"
    )


def _constants(node: ast.expr, modules: dict[str, str]) -> list[str] | None:
    """The texts ``node`` names (both sides of ``a if … else b``), or None: built at the tap."""
    if isinstance(node, ast.IfExp):
        body, orelse = _constants(node.body, modules), _constants(node.orelse, modules)
        return None if body is None or orelse is None else body + orelse
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in modules
    ):
        text = getattr(importlib.import_module(modules[node.value.id]), node.attr)
        return [text] if isinstance(text, str) else None
    return None


def callback_answers() -> Iterator[tuple[str, str, ast.expr]]:
    """(module, function, text argument) of every ``query.answer(text, …)`` in the handlers."""
    for path in sorted(HANDLERS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for call in ast.walk(function):
                if not (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "answer"
                    and _is_query(call.func.value)
                ):
                    continue
                text = call.args[0] if call.args else None
                text = next((kw.value for kw in call.keywords if kw.arg == "text"), text)
                if text is not None:
                    yield path.name, function.name, text


def test_every_callback_answer_fits_200_characters() -> None:
    assert ALERT_LIMIT == MAX_CALLBACK_ANSWER_LENGTH
    checked: dict[str, str] = {}
    unknown: list[str] = []
    for module, function, node in callback_answers():
        texts = _constants(node, _texts_modules(ast.parse((HANDLERS / module).read_text())))
        if texts is None:
            built = BUILT.get((module, function))
            if built is None:
                unknown.append(f"{module}: {function}: {ast.unparse(node)}")
                continue
            texts = list(built())
        checked |= dict.fromkeys(texts, f"{module}: {function}")
    assert not unknown, f"texts built at a tap, add their worst case to BUILT: {unknown}"
    assert len(checked) >= 20, sorted(checked)  # the walk found the handlers' answers
    too_long = {where: text for text, where in checked.items() if utf16_len(text) > ALERT_LIMIT}
    assert not too_long, too_long
    # A callback answer is plain text: a tag or an escape in it would be shown as typed.
    marked = [text for text in checked if re.search(r"</?[a-z-]+>|&(?:lt|gt|amp|quot);", text)]
    assert not marked, marked


def test_a_changed_item_lists_its_new_stages_as_far_as_an_alert_holds() -> None:
    """Twelve monthly stages: the first ones shown, the rest counted; a few: every one."""
    monthly = tpm.stage_gone(date(2027, 6, 29), MONTH_ENDS)
    assert "Сроки теперь: 31.01.2027, 28.02.2027, 31.03.2027" in monthly
    assert monthly.endswith(". Нажмите «Выполнено» под напоминанием о новом сроке.")
    shown = sum(day.strftime("%d.%m.%Y") in monthly for day in MONTH_ENDS)
    assert f"…и ещё {12 - shown}." in monthly
    assert utf16_len(monthly) <= ALERT_LIMIT
    two = tpm.stage_gone(date(2027, 6, 30), (date(2027, 3, 31), date(2027, 12, 31)))
    assert "Сроки теперь: 31.03.2027, 31.12.2027. Нажмите" in two
