"""«Как в прошлый раз» for a block of questions (``FormSpec.shortcut``): which questions one
tap answers, whether it is offered, and taking it. Last time's values are taken as answers
typed now (``FormSpec.read``), so a value no typed answer may be (0 workers from the
organization list) is asked rather than copied."""

from __future__ import annotations

from typing import Any

from bot.forms.engine import Answers, FormSpec, InvalidAnswer, ParseEnv, Previous


def covered(spec: FormSpec, start: str) -> frozenset[str]:
    """What the shortcut taken at question ``start`` answers: ``start`` and the block's
    questions after it."""
    if spec.shortcut is None:
        return frozenset()
    first = spec.position(start)
    return frozenset(n for n in spec.shortcut.fields if spec.position(n) >= first)


def offered(spec: FormSpec, name: str, previous: Previous, env: ParseEnv) -> bool:
    """Whether question ``name`` offers the shortcut: it is in the block and not its last
    question (there, last time's value alone is the one-tap answer), and last time's values
    exist for every required question it would answer, each one a typed answer may be now
    (0 workers in the organization list is not), and for one at least (a first report has
    nothing to repeat)."""
    if spec.shortcut is None or name not in spec.shortcut.fields[:-1]:
        return False
    block = covered(spec, name)
    required = [n for n in block if not spec.field(n).optional]
    return all(
        previous(n) is not None and spec.refusal(n, previous(n), env) is None for n in required
    ) and any(previous(n) is not None for n in block)


def take(
    spec: FormSpec, name: str, answers: Answers, previous: Previous, env: ParseEnv
) -> dict[str, Any]:
    """Answer the block from question ``name`` on with last time's values, each read as typed
    now; one its question would refuse, or breaking a rule against the answers given (workers
    changed since), is left out, so it is asked, and so are the block's values checked against
    it (last time's 8 young members stay out once last time's 12 young workers are asked
    again: they may not fit the new one)."""
    block = covered(spec, name)
    copied = dict(answers)
    for n in sorted(block, key=spec.position):  # a question after its parent
        if spec.field(n).derive is None:
            try:
                copied = spec.with_answer(n, _read_again(spec, n, previous(n), env), copied)
            except InvalidAnswer:
                copied.pop(n, None)
    broken = {n for n in block if spec.broken(n, copied)}
    tied = {n for rule in spec.rules if broken & set(rule.fields) for n in rule.fields}
    for n in (broken | tied) & block:
        copied.pop(n, None)
    return follow(spec, answers, copied, block, previous)


def _read_again(spec: FormSpec, name: str, value: Any, env: ParseEnv) -> Any:
    """Last time's ``value`` as the answer typed now would be (None: skipped, stays so)."""
    return None if value is None else spec.read(name, spec.field(name).typed(value), env)


def follow(
    spec: FormSpec, before: Answers, after: Answers, block: frozenset[str], previous: Previous
) -> dict[str, Any]:
    """Derived answers of the block follow the answers they come from, unless the person
    changed them (a value no longer equal to its derivation from ``before``). A derivation
    breaking a rule is left out, so the question is asked."""
    updated = dict(after)
    for n in sorted(block, key=spec.position):
        derive = spec.field(n).derive
        if derive is None:
            continue
        current, was = updated.get(n), derive(before, previous(n))
        if current is not None and current != was:
            continue
        updated[n] = derive(updated, previous(n))
        if updated[n] is None or spec.broken(n, updated):
            updated.pop(n)
    return updated
