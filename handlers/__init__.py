"""The Telegram face: routers by audience, thin, calling the domain in ``bot``."""

from __future__ import annotations

from aiogram import Router

from handlers import admin, chair, common, errors, fallback, forms, manage, staff


def get_routers() -> list[Router]:
    """Order matters: commands first, then answers to an open form, then the fallback."""
    return [
        errors.create_router(),
        common.create_router(),
        admin.create_router(),
        chair.create_router(),
        staff.create_router(),
        manage.create_router(),
        forms.create_router(),
        fallback.create_router(),
    ]
