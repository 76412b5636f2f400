"""The RPCs of dues (党费): income declarations, the monthly run, the payments ledger, paid rates
(mixed into MembersService). Each loads its arguments through the contract, calls its handler
with the unit of work and the caller, and dumps the result."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from nameko.timer import timer

from services.infra.dependencies import BuiltOnce
from services.infra.pii import PiiCipher
from services.infra.rpc import rpc
from services.infra.schemas import dump, load, with_created
from services.members.dues import declaring, paying, reading, running, schemas
from services.members.dues.domain import Band, DuesRules
from services.members.dues.ports import DuesSettings

WORK_RUNS_SECONDS = 2  # a started run is taken up this soon
MONTHLY_CHECK_SECONDS = 3600  # the monthly run starts within an hour of its day


def dues_rules(c: dict[str, Any]) -> DuesRules:
    bands = tuple(
        Band(
            None if b.get("upto") is None else Decimal(str(b["upto"])),
            Decimal(str(b["rate_percent"])),
        )
        for b in c.get("bands") or []
    )
    fixed = c.get("fixed_yuan") or {}
    return DuesRules(
        bands=bands,
        fixed_fen={
            k: int(Decimal(str(fixed.get(k, default))) * 100)
            for k, default in (("retiree", "0.5"), ("student", "0.2"), ("no_income", "0.2"))
        },
        due_day=int(c.get("due_day", 31)),
        months_ahead=int(c.get("months_ahead", 12)),
        collect_at_host=bool(c.get("collect_at_host", True)),
    )


def dues_settings(config: dict[str, Any]) -> DuesSettings:
    """Read once at start-up (config.yml ``DUES``; defaults when absent)."""
    c = config.get("DUES") or {}
    return DuesSettings(
        cipher=PiiCipher.from_env(),
        rules=dues_rules(c),
        timezone=ZoneInfo(str(config.get("TIMEZONE") or "Asia/Shanghai")),
        batch=int(c.get("batch", 500)),
        run_day=int(c.get("run_day", 1)),
        lease_seconds=int(c.get("lease_seconds", 120)),
    )


class DuesEntrypoints:
    """Needs ``uow`` (the MembersStore) and ``caller`` from the service class."""

    uow: Any
    caller: Any
    dues_settings: DuesSettings = BuiltOnce(dues_settings)

    @rpc
    def declare_income(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.DeclareIncome, payload)
        found = declaring.declare_income(cmd, self.uow, self.caller(), self.dues_settings)
        return dump(schemas.DeclarationOut, found)  # type: ignore[no-any-return]

    @rpc
    def start_dues_run(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.StartRun, payload)
        run, created = running.start_run(cmd, self.uow, self.caller(), self.dues_settings)
        return with_created(schemas.RunOut, run, created)

    @rpc
    def get_dues_run(self, run_id: str) -> dict[str, Any]:
        run = running.get_run(str(run_id), self.uow, self.caller())
        return dump(schemas.RunOut, run)  # type: ignore[no-any-return]

    @rpc
    def record_dues_payment(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.RecordPayment, payload)
        entry, created = paying.record_payment(cmd, self.uow, self.caller(), self.dues_settings)
        return with_created(schemas.EntryOut, entry, created)

    @rpc
    def reverse_dues_payment(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ReversePayment, payload)
        entry, created = paying.reverse_payment(cmd, self.uow, self.caller(), self.dues_settings)
        return with_created(schemas.EntryOut, entry, created)

    @rpc
    def get_member_dues(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.MemberDues, query)
        found = reading.member_dues(cmd, self.uow, self.caller(), self.dues_settings)
        return dump(schemas.MemberDuesOut, found)  # type: ignore[no-any-return]

    @rpc
    def list_dues_register(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.OrgMonth, query)
        found = reading.org_register(cmd, self.uow, self.caller(), self.dues_settings)
        return dump(schemas.RegisterOut, found)  # type: ignore[no-any-return]

    @rpc
    def list_dues_undeclared(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.OrgMonth, query)
        items, next_cursor = reading.undeclared(cmd, self.uow, self.caller(), self.dues_settings)
        return dump(schemas.UndeclaredPage, {"items": items, "next_cursor": next_cursor})  # type: ignore[no-any-return]

    @rpc
    def get_dues_rates(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.OrgMonth, query)
        found = reading.paid_rates(cmd, self.uow, self.caller(), self.dues_settings)
        return dump(schemas.PaidRatesOut, found)  # type: ignore[no-any-return]

    @timer(interval=MONTHLY_CHECK_SECONDS)
    def start_monthly_dues_runs(self) -> None:
        running.start_monthly_runs(self.uow, self.dues_settings)

    @timer(interval=WORK_RUNS_SECONDS)
    def work_dues_runs(self) -> None:
        running.work_runs(self.uow, self.dues_settings)
