from collections import Counter
from datetime import date

from services.members.idcard import is_valid
from tools.demo_county.generate import generate_county, second_friday

TODAY = date(2026, 11, 22)


def test_full_county_matches_the_seed_figures():
    county = generate_county("full", today=TODAY)
    kinds = Counter(o.kind for o in county.orgs)
    streets = [
        o
        for o in county.orgs
        if o.kind == "working_committee" and o.parent_id == "hj" and not o.tags
    ]
    assert len(streets) == 8 and kinds["general_branch"] == 75 and kinds["branch"] == 298
    assert len(county.people) == 11_200 and len(county.kiosks) == 75 and len(county.meetings) == 298
    branch_sizes = Counter(p.org_id for p in county.people)
    assert len(branch_sizes) == 298 and min(branch_sizes.values()) >= 8


def test_people_are_synthetic_valid_and_unique():
    people = generate_county("full", today=TODAY).people
    assert all(is_valid(p.id_number) for p in people)
    assert all(int(p.id_number[16]) % 2 == (1 if p.gender == "male" else 0) for p in people)
    assert all(p.phone[:3] in ("170", "171") for p in people)
    for field in ("id_number", "phone", "card_uid"):
        assert len({getattr(p, field) for p in people}) == len(people), field
    assert all(p.join_date.year - p.birth_date.year >= 18 and p.join_date < TODAY for p in people)


def test_orgs_come_parent_first():
    seen: set[str] = set()
    for org in generate_county("full", today=TODAY).orgs:
        assert org.parent_id is None or org.parent_id in seen
        seen.add(org.org_id)


def test_deterministic_and_small():
    assert generate_county("small", today=TODAY) == generate_county("small", today=TODAY)
    small = generate_county("small", today=TODAY)
    assert len(small.people) == 120 and Counter(o.kind for o in small.orgs)["branch"] == 8


def test_theme_days_fall_on_the_second_friday():
    assert second_friday(date(2026, 11, 22)) == date(2026, 11, 13)
    assert second_friday(date(2026, 5, 1)) == date(2026, 5, 8)
    assert {m.starts_at.date() for m in generate_county("small", today=TODAY).meetings} == {
        date(2026, 11, 13)
    }
