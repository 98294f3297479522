"""ORM models, by what they hold; every table is registered on ``Base.metadata`` by importing
this package (the migrations and the tests rely on it).
"""

from storage.models.base import NAMING, Base, UTCDateTime
from storage.models.calendar import (
    Collection,
    CollectionKind,
    CollectionTarget,
    OutboxMessage,
    OutboxStatus,
)
from storage.models.district import (
    DistrictEvent,
    DistrictEventAnswer,
    DistrictEventInvite,
    Plan,
    PlanItem,
    PlanMark,
)
from storage.models.inbox import InboxUpdate
from storage.models.people import Invite, Organization, OrgKind, Person, Role, RoleGrant
from storage.models.reports import (
    AuditEntry,
    Event,
    FormDraft,
    MembershipReport,
    Passport,
    ProcessedUpdate,
    ReservePerson,
)

__all__ = [
    "NAMING",
    "AuditEntry",
    "Base",
    "Collection",
    "CollectionKind",
    "CollectionTarget",
    "DistrictEvent",
    "DistrictEventAnswer",
    "DistrictEventInvite",
    "Event",
    "FormDraft",
    "InboxUpdate",
    "Invite",
    "MembershipReport",
    "OrgKind",
    "Organization",
    "OutboxMessage",
    "OutboxStatus",
    "Passport",
    "Person",
    "Plan",
    "PlanItem",
    "PlanMark",
    "ProcessedUpdate",
    "ReservePerson",
    "Role",
    "RoleGrant",
    "UTCDateTime",
]
