"""A digest of a district nobody owes a report to (no ППО yet, or every ППО of the request
archived) says so, instead of an empty «Сдали: 0 из 0»."""

from __future__ import annotations

from bot.domain.digest import DigestData, build_digest
from bot.rendering.digest import digest_text, status_text
from storage.digest import CollectionInfo, ScopeInfo
from storage.models import OrgKind
from test_digest import DEADLINE, DISTRICT, NOW_P, TODAY


def _digest_of(collection: CollectionInfo | None) -> DigestData:
    return DigestData(
        scope=ScopeInfo(1, OrgKind.DISTRICT, DISTRICT, None),
        period=NOW_P,
        today=TODAY,
        tz="Europe/Moscow",
        ppos=[],  # a new district, or every ППО archived (storage lists live ones only)
        reports={},
        previous={},
        collection=collection,
    )


def test_a_district_without_live_ppo_says_nobody_owes_a_report() -> None:
    archived_target = CollectionInfo(NOW_P, (1,), DEADLINE, {7: DEADLINE})
    for collection in (None, archived_target):
        digest = build_digest(_digest_of(collection))
        assert (digest.submitted, digest.due) == (0, 0)
        for text in (digest_text(digest), status_text(digest)):
            assert "Отчёт за этот период не ждут ни от одной ППО." in text, text
            assert "0 из 0" not in text and "Все отчёты сданы" not in text
