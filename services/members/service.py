"""members: the organization tree, member records, meetings and card sign-in.

Each entrypoint loads its arguments through the contract (schemas), calls its handler with the
unit of work and the caller, and dumps the result through an output schema."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from nameko.timer import timer

from services.infra.dependencies import BuiltOnce, CallerOf
from services.infra.pii import PiiCipher
from services.infra.providers import Instrumentation, OutboxPublisher
from services.infra.rpc import rpc
from services.infra.schemas import dump, load, with_created
from services.infra.storage import Database
from services.members import handlers, queries, schemas
from services.members.accounts.entrypoints import AccountEntrypoints
from services.members.dues.entrypoints import DuesEntrypoints
from services.members.lifecycle.entrypoints import LifecycleEntrypoints
from services.members.mobile.entrypoints import MobileEntrypoints
from services.members.orglife.entrypoints import OrgLifeEntrypoints
from services.members.phone_sign_in.entrypoints import PhoneSignInEntrypoints
from services.members.plans.entrypoints import PlansEntrypoints
from services.members.roster.entrypoints import RosterEntrypoints
from services.members.store import OUTBOX_COLLECTIONS, MembersStore
from services.members.transfers.entrypoints import TransfersEntrypoints
from services.members.tree.entrypoints import TreeEntrypoints

COUNT_SIGN_INS_SECONDS = 2  # how far a meeting's signed_in and the tallies lag the sign-ins


def settings(config: dict[str, Any]) -> handlers.Settings:
    window = config.get("SIGN_IN_WINDOW") or {}
    return handlers.Settings(
        cipher=PiiCipher.from_env(),
        window_before_min=int(window.get("before_min", 20)),
        window_after_min=int(window.get("after_min", 20)),
        offline_tolerance_min=int(window.get("offline_tolerance_min", 1440)),
        meeting_days_back=int(config.get("MEETING_HORIZON_DAYS_BACK", 365)),
        meeting_days_ahead=int(config.get("MEETING_HORIZON_DAYS_AHEAD", 730)),
        timezone=ZoneInfo(str(config.get("TIMEZONE") or "Asia/Shanghai")),
    )


def page(schema: type, items: Any, next_cursor: str | None) -> dict[str, Any]:
    return dump(schema, {"items": items, "next_cursor": next_cursor})  # type: ignore[no-any-return]


class MembersService(
    AccountEntrypoints,
    PhoneSignInEntrypoints,
    TreeEntrypoints,
    LifecycleEntrypoints,
    RosterEntrypoints,
    OrgLifeEntrypoints,
    PlansEntrypoints,
    DuesEntrypoints,
    TransfersEntrypoints,
    MobileEntrypoints,
):
    """Staff accounts, sessions and kiosk pairing: services/members/accounts/entrypoints.py;
    members' sign-in by SMS code: services/members/phone_sign_in/entrypoints.py; the
    organization register (rename, move, merge, dissolve, history): services/members/tree/;
    members' statuses, profiles and cards: services/members/lifecycle/; roster import and
    export: services/members/roster/; organizational life: meetings held, leave and attendance
    rates (orglife/), the yearly plan (plans/), dues (dues/), transfers (transfers/), mobile
    members and lapse warnings (mobile/)."""

    name = "members"

    uow: MembersStore = Database(MembersStore)
    settings: handlers.Settings = BuiltOnce(settings)
    caller = CallerOf()
    outbox = OutboxPublisher(OUTBOX_COLLECTIONS)
    metrics = Instrumentation()

    @rpc
    def create_org(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.CreateOrg, payload)
        org, created = handlers.create_org(cmd, self.uow, self.caller())
        return with_created(schemas.OrgOut, org, created)

    @rpc
    def get_org(self, org_id: str) -> dict[str, Any]:
        return dump(schemas.OrgOut, handlers.get_org(str(org_id), self.uow, self.caller()))

    @rpc
    def register_member(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.RegisterMember, payload)
        member, created = handlers.register_member(cmd, self.uow, self.caller(), self.settings)
        return with_created(schemas.MemberOut, member, created)

    @rpc
    def register_members(self, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
        batch = load(schemas.RegisterMember, payloads, many=True)
        results = handlers.register_members(batch, self.uow, self.caller(), self.settings)
        return [with_created(schemas.MemberOut, m, created) for m, created in results]

    @rpc
    def get_member(self, member_id: str) -> dict[str, Any]:
        return dump(schemas.MemberOut, handlers.get_member(str(member_id), self.uow, self.caller()))

    @rpc
    def read_member_pii(self, member_id: str, reason: str) -> dict[str, Any]:
        cmd = load(schemas.ReadPersonalData, {"member_id": member_id, "reason": reason})
        found = handlers.read_personal_data(cmd, self.uow, self.caller(), self.settings)
        return dump(schemas.PersonalData, found)

    @rpc
    def schedule_meeting(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ScheduleMeeting, payload)
        meeting, created = handlers.schedule_meeting(cmd, self.uow, self.caller(), self.settings)
        return with_created(schemas.MeetingOut, meeting, created)

    @rpc
    def enroll_kiosk(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.EnrollKiosk, payload)
        kiosk, created = handlers.enroll_kiosk(cmd, self.uow, self.caller())
        return with_created(schemas.KioskOut, kiosk, created)

    @rpc
    def check_in(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.CheckIn, payload)
        attendance, member, meeting, created = handlers.check_in(
            cmd, self.uow, self.caller(), self.settings
        )
        return dump(
            schemas.CheckInOut,
            {
                "created": created,
                "check_in_id": attendance.check_in_id,
                "checked_in_at": attendance.checked_in_at,
                "recorded_offline": attendance.recorded_offline,
                "member": member,
                "meeting": meeting,
            },
        )

    # -- the console's reads (services/members/queries.py) ----------------------------------

    @rpc
    def list_orgs(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ListOrgs, query)
        return page(schemas.OrgsPage, *queries.list_orgs(cmd, self.uow, self.caller()))

    @rpc
    def get_org_node(self, org_id: str) -> dict[str, Any]:
        org = queries.get_org_node(str(org_id), self.uow, self.caller())
        return dump(schemas.OrgNodeOut, org)

    @rpc
    def list_members(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ListMembers, query)
        return page(schemas.MembersPage, *queries.list_members(cmd, self.uow, self.caller()))

    @rpc
    def list_member_attendance(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ListMemberAttendance, query)
        found = queries.list_member_attendance(cmd, self.uow, self.caller())
        return page(schemas.MemberSignInsPage, *found)

    @rpc
    def list_meetings(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ListMeetings, query)
        return page(schemas.MeetingsPage, *queries.list_meetings(cmd, self.uow, self.caller()))

    @rpc
    def get_meeting(self, meeting_id: str) -> dict[str, Any]:
        meeting = queries.get_meeting(str(meeting_id), self.uow, self.caller())
        return dump(schemas.MeetingViewOut, meeting)

    @rpc
    def follow_attendance(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.FollowAttendance, query)
        live = queries.follow_attendance(cmd, self.uow, self.caller(), self.settings)
        return dump(schemas.LiveAttendanceOut, live)

    @rpc
    def list_kiosk_meetings(self) -> dict[str, Any]:
        found = queries.kiosk_meetings(self.uow, self.caller(), self.settings)
        return dump(schemas.KioskMeetingsOut, {"items": found})

    @timer(interval=COUNT_SIGN_INS_SECONDS)
    def count_sign_ins(self) -> None:
        handlers.count_sign_ins(self.uow, self.settings)

    @rpc
    def get_overview(self) -> dict[str, Any]:
        found = queries.overview(self.uow, self.caller(), self.settings)
        return dump(schemas.OverviewOut, found)

    @rpc
    def ping(self) -> bool:
        return self.uow.ping()


SERVICE = MembersService
