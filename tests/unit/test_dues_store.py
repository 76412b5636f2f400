"""The dues repositories on the embedded engine (litemongo, as `make run` stores them): the run's
charges counted once (a prepaid month too), the ledger with its events in the same document,
a reversal, and the tallies rolled up the tree."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import litemongo
import pytest

from services.infra.storage import ensure_indexes
from services.members import commands, handlers
from services.members.dues import commands as dues
from services.members.dues import declaring, paying, running
from services.members.store import MembersStore
from tests.unit.fakes_dues import dues_settings
from tests.unit.fakes_lifecycle import NOW, OPERATOR, registered

MONTH, NEXT = "2026-11", "2026-12"


@pytest.fixture
def uow(tmp_path):
    db = litemongo.connect(str(tmp_path))["members"]
    ensure_indexes(db, MembersStore.INDEXES)
    store = MembersStore(db)
    for org_id, parent in [("hj", None), ("s1", "hj"), ("b1", "s1"), ("b2", "s1")]:
        cmd = commands.CreateOrg(org_id, org_id, "branch", parent_id=parent)
        handlers.create_org(cmd, store, OPERATOR)
    return store


def test_run_payment_prepayment_and_reversal_on_the_store(uow):
    settings = dues_settings()
    a = registered(uow, org_id="b1", seq=1, card="A0000001")
    b = registered(uow, org_id="b2", seq=2, card="A0000002")
    declaring.declare_income(
        dues.DeclareIncome(a.member_id, 2026, "income", Decimal("6000.00")), uow, OPERATOR, settings
    )
    for _ in range(2):  # asked twice: counted once
        running.start_run(dues.StartRun("hj", MONTH), uow, OPERATOR, settings)
        running.work_runs(uow, settings)
    tally = uow.dues.tallies(["hj", "s1", "b1", "b2"], MONTH)
    assert (tally["hj"].charged_members, tally["hj"].charged_fen) == (2, 9000)
    assert (tally["b2"].charged_members, tally["b2"].undeclared) == (1, 1)

    pay = dues.RecordPayment(a.member_id, "cash-000001", (MONTH, NEXT), 18000, "cash")
    entry, created = paying.record_payment(pay, uow, OPERATOR, settings)
    assert created and entry.on_time == (True, True)
    stored = uow.db.dues_ledger.find_one({"_id": "cash-000001"})
    assert [e["type"] for e in stored["_outbox"]] == ["dues_paid", "dues_paid"]
    assert paying.record_payment(pay, uow, OPERATOR, settings) == (entry, False)
    assert uow.dues.tallies(["s1"], NEXT)["s1"].paid_members == 1

    later = dues_settings(clock=lambda: NOW + timedelta(days=10))
    running.start_run(dues.StartRun("hj", NEXT), uow, OPERATOR, later)
    running.work_runs(uow, later)
    december = uow.dues.tallies(["hj"], NEXT)["hj"]
    assert (december.charged_members, december.paid_members) == (2, 1)

    undo = dues.ReversePayment("cash-000001", "rev-000001", "录入错误")
    paying.reverse_payment(undo, uow, OPERATOR, settings)
    assert uow.dues.tallies(["hj"], MONTH)["hj"].paid_members == 0
    assert [c.month for c in uow.dues.unpaid_of(a.member_id, 10)] == [MONTH, NEXT]
    assert uow.dues.get_entry("cash-000001").reversed_by == "rev-000001"
    assert uow.db.dues_charges.count_documents({"uncounted": {"$exists": True}}) == 0
    assert b.member_id in {c.member_id for c in uow.dues.undeclared("/hj", MONTH, None, 10)[0]}
