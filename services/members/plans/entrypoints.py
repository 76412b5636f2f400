"""The RPCs of the yearly plan of meetings per organization and what is due or missing (mixed
into MembersService): each loads its arguments through the contract, calls its handler with the
unit of work and the caller, and dumps the result through an output schema."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from services.infra.dependencies import BuiltOnce
from services.infra.rpc import rpc
from services.infra.schemas import dump, load
from services.members.plans import planning, schemas
from services.members.plans.domain import PlanRules, Rule, ThemeDayRule
from services.members.plans.ports import PlansSettings


def plans_settings(config: dict[str, Any]) -> PlansSettings:
    """Read once at start-up (config.yml ``PLANS``); no rules there: no plan."""
    c = config.get("PLANS") or {}
    theme = c.get("theme_day")
    rules = PlanRules(
        rules=tuple(
            Rule(r["kind"], r["every"], int(r.get("count", 1)), tuple(r["org_kinds"]))
            for r in c.get("rules") or []
        ),
        theme_day=ThemeDayRule.named(theme["weekday"], int(theme["nth"])) if theme else None,
        warn_days=int(c.get("warn_days", 14)),
    )
    return PlansSettings(
        rules=rules,
        timezone=ZoneInfo(str(config.get("TIMEZONE") or "Asia/Shanghai")),
        gap_scan_pages=int(c.get("gap_scan_pages", 10)),
    )


class PlansEntrypoints:
    """Needs ``uow`` (the MembersStore) and ``caller`` from the service class."""

    uow: Any
    caller: Any
    plans_settings: PlansSettings = BuiltOnce(plans_settings)

    @rpc
    def get_plan(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.GetPlan, query)
        plan = planning.get_plan(cmd, self.uow, self.caller(), self.plans_settings)
        return dump(schemas.PlanOut, plan)  # type: ignore[no-any-return]

    @rpc
    def list_plan_gaps(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ListPlanGaps, query)
        page = planning.list_plan_gaps(cmd, self.uow, self.caller(), self.plans_settings)
        return dump(schemas.PlanGapsPage, page)  # type: ignore[no-any-return]
