"""Who a command, a menu or a form is for: the roles a sender holds, as one flag set."""

from __future__ import annotations

import enum

from bot.domain.viewer import Viewer


class Audience(enum.Flag):
    STRANGER = enum.auto()
    CURATOR = enum.auto()
    CHAIR = enum.auto()
    STAFF = enum.auto()
    ADMIN = enum.auto()
    ANYONE = STRANGER | CURATOR | CHAIR | STAFF | ADMIN


def audience_of(viewer: Viewer) -> Audience:
    """Every role the sender holds right now; nobody with none is a stranger."""
    audience = Audience(0)
    if viewer.is_chair:
        audience |= Audience.CHAIR
    if viewer.is_staff:
        audience |= Audience.STAFF
    if viewer.is_admin:
        audience |= Audience.ADMIN
    if viewer.curated:
        audience |= Audience.CURATOR
    return audience or Audience.STRANGER
