"""The Telegram face: routers by audience, thin, calling the domain in ``bot``."""

from __future__ import annotations

from aiogram import Router

from handlers import (
    admin,
    chair,
    common,
    curator,
    district_events,
    errors,
    event_report,
    fallback,
    forms,
    groups,
    history_import,
    manage,
    plans,
    reachability,
    replayed,
    reserve,
    staff,
)


def get_routers() -> list[Router]:
    """Order matters: groups and channels are turned away first; in private chats commands
    come first, then answers to an open form, then the fallback."""
    private = Router(name="private")
    private.message.filter(groups.PRIVATE)
    private.edited_message.filter(groups.PRIVATE)
    private.callback_query.filter(groups.PRIVATE_BUTTON)
    private.include_routers(
        replayed.create_router(),  # first: an update applied before is not applied again
        common.create_router(),
        plans.create_router(),
        history_import.create_router(),  # before admin's: /import takes any document
        admin.create_router(),
        chair.create_router(),
        staff.create_router(),
        event_report.create_router(),
        district_events.create_router(),
        curator.create_router(),
        reserve.create_router(),
        manage.create_router(),
        forms.create_router(),
        fallback.create_router(),
    )
    return [errors.create_router(), reachability.create_router(), groups.create_router(), private]
