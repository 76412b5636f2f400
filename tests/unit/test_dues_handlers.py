"""The dues handlers over the in-memory fakes: declarations, the monthly run, payments,
corrections, the reads, and who may do what."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from services.infra.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.infra.scope import Caller
from services.members.domain import Member, MobileStay
from services.members.dues import commands, declaring, paying, reading, running
from services.members.dues.domain import Tally
from tests.unit.fakes_dues import FakeDuesUoW, dues_settings, world
from tests.unit.fakes_lifecycle import NOW, OPERATOR, READER1, SECRETARY1, SECRETARY2, registered

SETTINGS = dues_settings()
MONTH = "2026-11"


def _member(uow: FakeDuesUoW, seq: int, org_id: str = "b1", name: str = "张三丰") -> Member:
    return registered(uow, org_id=org_id, seq=seq, card=f"A{seq:07d}", name=name)


def _declare(
    uow: FakeDuesUoW, member: Member, income: str | None = "4000.00", caller: Caller = SECRETARY1
) -> None:
    category = "income" if income is not None else "retiree"
    value = Decimal(income) if income is not None else None
    cmd = commands.DeclareIncome(member.member_id, 2026, category, value)
    declaring.declare_income(cmd, uow, caller, SETTINGS)


def _run(uow: FakeDuesUoW, org_id: str = "hj", month: str = MONTH) -> None:
    running.start_run(commands.StartRun(org_id, month), uow, OPERATOR, SETTINGS)
    running.work_runs(uow, SETTINGS)


def _pay(
    uow: FakeDuesUoW,
    member: Member,
    months: tuple[str, ...] = (MONTH,),
    fen: int = 4000,
    ref: str = "cash-000001",
    caller: Caller = SECRETARY1,
) -> tuple[object, bool]:
    cmd = commands.RecordPayment(member.member_id, ref, months, fen, "cash")
    return paying.record_payment(cmd, uow, caller, SETTINGS)


@pytest.fixture
def uow() -> FakeDuesUoW:
    return world()


# -- declarations ----------------------------------------------------------------------------


def test_a_declaration_stores_the_income_encrypted_and_the_amount_in_fen(uow: FakeDuesUoW) -> None:
    member = _member(uow, 1)
    _declare(uow, member, "4567.50")
    found = uow.dues.declaration(member.member_id, 2026)
    assert found is not None and found.amount_fen == 4568
    assert found.income_enc and "4567" not in found.income_enc
    assert SETTINGS.cipher.decrypt(found.income_enc, "income") == "4567.50"


def test_a_member_declares_their_own_income_only(uow: FakeDuesUoW) -> None:
    me, other = _member(uow, 1), _member(uow, 2)
    self_caller = Caller(me.member_id, "member", me.org_path)
    _declare(uow, me, "2000.00", caller=self_caller)
    with pytest.raises(Forbidden):
        _declare(uow, other, "2000.00", caller=self_caller)
    with pytest.raises(Forbidden):
        _declare(uow, me, caller=SECRETARY2)  # another branch's secretary
    with pytest.raises(Forbidden):
        _declare(uow, me, caller=READER1)  # a reader


def test_a_declaration_outside_the_years_allowed_is_refused(uow: FakeDuesUoW) -> None:
    member = _member(uow, 1)
    cmd = commands.DeclareIncome(member.member_id, 2020, "student")
    with pytest.raises(InvalidInput):
        declaring.declare_income(cmd, uow, SECRETARY1, SETTINGS)


def test_a_redeclaration_applies_from_the_next_uncharged_month(uow: FakeDuesUoW) -> None:
    member = _member(uow, 1)
    _declare(uow, member, "4000.00")
    _run(uow, month="2026-10")
    _declare(uow, member, "8000.00")
    found = uow.dues.declaration(member.member_id, 2026)
    assert found is not None and found.effective_from == "2026-11"
    assert uow.dues.charges[f"{member.member_id}|2026-10"].amount_fen == 4000  # kept
    _run(uow)
    assert uow.dues.charges[f"{member.member_id}|{MONTH}"].amount_fen == 12000


# -- the monthly run -------------------------------------------------------------------------


def test_the_run_charges_each_member_once_and_rolls_up(uow: FakeDuesUoW) -> None:
    a, b, c = _member(uow, 1), _member(uow, 2, "b2"), _member(uow, 3, "b3")
    _declare(uow, a, "2000.00")  # 10.00
    _declare(uow, b, "6000.00", caller=OPERATOR)  # 90.00
    _run(uow)
    _run(uow)  # again: nothing changes
    running.work_run(uow.dues.runs[f"hj|{MONTH}"], uow, SETTINGS)  # even worked again
    assert len(uow.dues.charges) == 3
    tallies = uow.dues.tallies(["hj", "s1", "s2", "b1", "b3"], MONTH)
    assert tallies["hj"] == Tally(charged_members=3, charged_fen=10000, undeclared=1)
    assert tallies["s1"] == Tally(charged_members=2, charged_fen=10000)
    assert tallies["b3"] == Tally(charged_members=1, undeclared=1)
    assert uow.dues.charges[f"{c.member_id}|{MONTH}"].undeclared
    assert uow.dues.runs[f"hj|{MONTH}"].state == "done"


def test_the_run_writes_counters_once_per_batch(uow: FakeDuesUoW) -> None:
    for seq in range(1, 8):
        _member(uow, seq, ["b1", "b2", "b3"][seq % 3])
    settings = dues_settings(batch=3)
    running.start_run(commands.StartRun("hj", MONTH), uow, OPERATOR, settings)
    running.work_runs(uow, settings)
    assert uow.dues.tallies(["hj"], MONTH)["hj"].charged_members == 7
    assert uow.dues.tally_writes <= 3  # batches of at least 3 members, not one per member


def test_a_run_cut_short_resumes_where_it_stopped(uow: FakeDuesUoW) -> None:
    for seq in range(1, 5):
        _member(uow, seq, "b1" if seq < 3 else "b3")
    settings = dues_settings(batch=1)
    run, _ = running.start_run(commands.StartRun("hj", MONTH), uow, OPERATOR, settings)
    saves = []
    real_save = uow.dues.save_run

    def crash_after_first(saved: object) -> None:
        real_save(saved)  # type: ignore[arg-type]
        saves.append(saved)
        if len(saves) == 1:
            raise RuntimeError("crash")

    uow.dues.save_run = crash_after_first  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        running.work_run(run, uow, settings)
    stopped = uow.dues.runs[run.run_id]
    assert stopped.state == "running" and stopped.orgs_done > 0
    running.work_runs(uow, settings)
    assert uow.dues.runs[run.run_id].state == "done"
    assert uow.dues.tallies(["hj"], MONTH)["hj"].charged_members == 4


def test_a_run_asked_again_charges_the_members_registered_since(uow: FakeDuesUoW) -> None:
    _member(uow, 1)
    _run(uow)
    _member(uow, 2)
    _run(uow)
    assert len(uow.dues.charges) == 2
    assert uow.dues.tallies(["hj"], MONTH)["hj"].charged_members == 2


def test_a_future_month_is_not_charged_and_scope_is_checked(uow: FakeDuesUoW) -> None:
    with pytest.raises(InvalidInput):
        running.start_run(commands.StartRun("hj", "2026-12"), uow, OPERATOR, SETTINGS)
    with pytest.raises(Forbidden):
        running.start_run(commands.StartRun("b3", MONTH), uow, SECRETARY1, SETTINGS)
    with pytest.raises(Forbidden):
        running.start_run(commands.StartRun("b1", MONTH), uow, READER1, SETTINGS)


def test_the_monthly_timer_starts_one_run_per_root_from_its_day(uow: FakeDuesUoW) -> None:
    assert running.start_monthly_runs(uow, SETTINGS) == 1
    assert running.start_monthly_runs(uow, SETTINGS) == 0
    late = dues_settings(run_day=28)
    assert running.start_monthly_runs(uow, late) == 0


def test_a_late_declaration_fills_the_undeclared_charges(uow: FakeDuesUoW) -> None:
    member = _member(uow, 1)
    _run(uow)
    _declare(uow, member, None)  # a retiree: 0.50
    charge = uow.dues.charges[f"{member.member_id}|{MONTH}"]
    assert (charge.undeclared, charge.amount_fen) == (False, 50)
    assert uow.dues.tallies(["hj"], MONTH)["hj"] == Tally(charged_members=1, charged_fen=50)


# -- payments --------------------------------------------------------------------------------


def test_a_payment_marks_the_month_paid_once_per_reference(uow: FakeDuesUoW) -> None:
    member = _member(uow, 1)
    _declare(uow, member)
    _run(uow)
    entry, created = _pay(uow, member)
    again, created_again = _pay(uow, member)
    assert (created, created_again) == (True, False) and again == entry
    charge = uow.dues.charges[f"{member.member_id}|{MONTH}"]
    assert charge.paid_by == "cash-000001" and charge.on_time
    assert uow.dues.tallies(["hj"], MONTH)["hj"].paid_members == 1
    assert uow.dues.tallies(["b1"], MONTH)["b1"].paid_fen == 4000
    events = [e for e in uow.events() if e["type"] == "dues_paid"]
    assert len(events) == 1
    payload = events[0]["payload"]
    assert payload["month"] == MONTH and payload["amount_fen"] == 4000 and payload["on_time"]
    assert payload["payment_reference"] == "cash-000001"
    assert "name" not in payload and "张" not in str(payload)
    assert uow.activity.of([member.member_id])[member.member_id]["dues"] == MONTH


def test_the_same_reference_with_other_content_is_a_conflict(uow: FakeDuesUoW) -> None:
    member = _member(uow, 1)
    _declare(uow, member)
    _run(uow, month="2026-10")
    _run(uow)
    _pay(uow, member)
    with pytest.raises(Conflict):
        _pay(uow, member, months=("2026-10",))


def test_a_month_already_paid_is_refused(uow: FakeDuesUoW) -> None:
    member = _member(uow, 1)
    _declare(uow, member)
    _run(uow)
    _pay(uow, member)
    with pytest.raises(InvalidInput):
        _pay(uow, member, ref="cash-000002")


def test_the_amount_must_equal_the_months_amounts(uow: FakeDuesUoW) -> None:
    member = _member(uow, 1)
    _declare(uow, member)
    _run(uow)
    with pytest.raises(InvalidInput):
        _pay(uow, member, fen=3999)
    assert uow.dues.ledger == {} and not uow.dues.charges[f"{member.member_id}|{MONTH}"].paid


def test_late_payment_and_prepayment(uow: FakeDuesUoW) -> None:
    member = _member(uow, 1)
    _declare(uow, member)
    _run(uow, month="2026-10")
    entry, _ = _pay(uow, member, months=("2026-10", "2026-12"), fen=8000)
    assert entry.on_time == (False, True)  # type: ignore[attr-defined]
    prepaid = uow.dues.charges[f"{member.member_id}|2026-12"]
    assert prepaid.paid
    assert uow.dues.tallies(["hj"], "2026-12")["hj"].paid_members == 1
    # the December run later charges the prepaid month without charging it twice
    later = dues_settings(clock=lambda: NOW + timedelta(days=10))
    running.start_run(commands.StartRun("hj", "2026-12"), uow, OPERATOR, later)
    running.work_runs(uow, later)
    december = uow.dues.tallies(["hj"], "2026-12")["hj"]
    assert (december.charged_members, december.paid_members) == (1, 1)
    assert uow.dues.charges[f"{member.member_id}|2026-12"].paid


def test_a_reversal_makes_the_month_owed_again(uow: FakeDuesUoW) -> None:
    member = _member(uow, 1)
    _declare(uow, member)
    _run(uow)
    _pay(uow, member)
    cmd = commands.ReversePayment("cash-000001", "rev-000001", "金额录入错误")
    reversal, created = paying.reverse_payment(cmd, uow, SECRETARY1, SETTINGS)
    again, created_again = paying.reverse_payment(cmd, uow, SECRETARY1, SETTINGS)
    assert (created, created_again) == (True, False) and again == reversal
    assert reversal.reverses == "cash-000001" and reversal.amounts_fen == (-4000,)
    assert uow.dues.ledger["cash-000001"].reversed_by == "rev-000001"  # never deleted
    assert not uow.dues.charges[f"{member.member_id}|{MONTH}"].paid
    assert uow.dues.tallies(["hj"], MONTH)["hj"].paid_members == 0
    assert [e["type"] for e in uow.dues.events] == ["dues_paid", "dues_reversed"]
    with pytest.raises(Conflict):
        paying.reverse_payment(
            commands.ReversePayment("cash-000001", "rev-000002", "再次冲正"),
            uow,
            SECRETARY1,
            SETTINGS,
        )
    _pay(uow, member, ref="cash-000002")  # owed again: paid again
    with pytest.raises(NotFound):
        paying.reverse_payment(
            commands.ReversePayment("nope-000001", "rev-000003", "不存在"), uow, OPERATOR, SETTINGS
        )


def test_a_payment_retried_after_a_crash_completes_once(uow: FakeDuesUoW) -> None:
    member = _member(uow, 1)
    _declare(uow, member)
    _run(uow)
    real = uow.dues.add_entry

    def crash(*args: object) -> object:
        raise RuntimeError("crash")

    uow.dues.add_entry = crash  # type: ignore[assignment, method-assign]
    with pytest.raises(RuntimeError):
        _pay(uow, member)
    uow.dues.add_entry = real  # type: ignore[method-assign]
    _entry, created = _pay(uow, member)
    assert created
    assert uow.dues.tallies(["hj"], MONTH)["hj"].paid_members == 1


def test_a_mobile_members_host_may_collect(uow: FakeDuesUoW) -> None:
    member = _member(uow, 1)
    stay = MobileStay("郑州", date(2026, 1, 1), date(2027, 1, 1), "b3", "/hj/s2/b3")
    uow.members.rows[member.member_id] = replace(member, mobile=stay)
    _declare(uow, member)
    _run(uow)
    _pay(uow, member, caller=SECRETARY2)
    assert uow.dues.charges[f"{member.member_id}|{MONTH}"].paid
    other = _member(uow, 2)
    no_host = dues_settings(rules=replace(SETTINGS.rules, collect_at_host=False))
    stayed = replace(other, mobile=stay)
    uow.members.rows[other.member_id] = stayed
    cmd = commands.RecordPayment(other.member_id, "cash-000009", (MONTH,), 0, "cash")
    with pytest.raises(Forbidden):
        paying.record_payment(cmd, uow, SECRETARY2, no_host)


# -- reads -----------------------------------------------------------------------------------


def test_the_reads(uow: FakeDuesUoW) -> None:
    a, b = _member(uow, 1, name="李四"), _member(uow, 2, name="王五")
    _declare(uow, a)
    _run(uow, month="2026-10")
    _run(uow)
    _pay(uow, a, months=("2026-10",))
    mine = reading.member_dues(
        commands.MemberDues(a.member_id), uow, Caller(a.member_id, "member", "/hj"), SETTINGS
    )
    assert [c.month for c in mine["arrears"]] == [MONTH] and mine["arrears_fen"] == 4000
    assert mine["ledger"][0].reference == "cash-000001"
    with pytest.raises(Forbidden):
        reading.member_dues(
            commands.MemberDues(b.member_id), uow, Caller(a.member_id, "member", "/hj"), SETTINGS
        )
    page = reading.org_register(commands.OrgMonth("b1", "2026-10"), uow, SECRETARY1, SETTINGS)
    rows = {r["charge"].member_id: r for r in page["items"]}
    assert rows[a.member_id]["charge"].paid and rows[a.member_id]["arrears_months"] == 1
    assert rows[b.member_id]["arrears_months"] == 2 and rows[b.member_id]["name_masked"] == "王*"
    assert page["tally"].paid_rate == 0.5
    rates = reading.paid_rates(commands.OrgMonth("s1", "2026-10"), uow, OPERATOR, SETTINGS)
    assert rates["org"]["paid_rate"] == 0.5
    assert {r["org_id"]: r["paid_rate"] for r in rates["items"]} == {"b1": 0.5, "b2": None}
    listed, _cursor = reading.undeclared(commands.OrgMonth("hj", MONTH), uow, OPERATOR, SETTINGS)
    assert [r["charge"].member_id for r in listed] == [b.member_id]
    with pytest.raises(Forbidden):
        reading.org_register(commands.OrgMonth("b3", MONTH), uow, SECRETARY1, SETTINGS)
