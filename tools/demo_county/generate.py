"""A deterministic demo county shaped like 惠济区 (Zhengzhou): streets and towns, communities and
villages with grids, branches, members with cards, kiosks and this month's theme days.

Synthetic people only: names from common characters, ID numbers valid in form, phones in the
170/171 virtual-carrier ranges.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from services.members.idcard import make_id_number

CHINA = timezone(timedelta(hours=8))
STREETS = (
    ("新城街道", "社区"),
    ("大河路街道", "社区"),
    ("长兴路街道", "社区"),
    ("迎宾路街道", "社区"),
    ("刘寨街道", "社区"),
    ("老鸦陈街道", "社区"),
    ("花园口镇", "村"),
    ("古荥镇", "村"),
)
PLACE_WORDS = "东西南北中新兴和平安康宁福瑞祥丰泰华明阳光清河桥园林苑湖花庄营寨岗沟店"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红文辉丹鹏斌宇浩凯"
SKILLS = (
    "家电维修",
    "法律咨询",
    "医疗保健",
    "理发",
    "心理疏导",
    "书法",
    "钢琴",
    "电脑维修",
    "助老",
    "代购",
)
AREAS = ("410108",) * 8 + ("410102", "410103", "410105")
SIZES = {
    "full": (8, 75, 278, 20, 11_200),
    "small": (2, 4, 7, 1, 120),
}  # streets, communities, branches, two-new, members


@dataclass(frozen=True)
class Org:
    org_id: str
    parent_id: str | None
    name: str
    kind: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Person:
    member_id_hint: str
    org_id: str
    name: str
    gender: str
    birth_date: date
    id_number: str
    phone: str
    status: str
    join_date: date
    card_uid: str
    skills: tuple[str, ...]


@dataclass(frozen=True)
class Kiosk:
    device_id: str
    org_id: str
    place: str


@dataclass(frozen=True)
class Meeting:
    meeting_id: str
    org_id: str
    kind: str
    title: str
    starts_at: datetime
    window_before_min: int
    window_after_min: int


@dataclass(frozen=True)
class County:
    orgs: list[Org]
    people: list[Person]
    kiosks: list[Kiosk]
    meetings: list[Meeting]


def second_friday(day: date) -> date:
    first = day.replace(day=1)
    return first + timedelta(days=(4 - first.weekday()) % 7 + 7)


def generate_county(size: str = "full", seed: int = 410108, *, today: date) -> County:
    rng = random.Random(seed)
    n_streets, n_communities, n_branches, n_two_new, n_members = SIZES[size]
    orgs = [Org("hj", None, "中共郑州市惠济区委员会", "committee")]
    kiosks: list[Kiosk] = []
    communities: list[Org] = []
    per_street = _spread(rng, n_communities, n_streets, low=1)
    for s, (street_name, unit) in enumerate(STREETS[:n_streets], start=1):
        street = Org(f"hj-s{s:02d}", "hj", f"中共{street_name}工作委员会", "working_committee")
        orgs.append(street)
        for c in range(1, per_street[s - 1] + 1):
            place = _place(rng) + unit
            community = Org(
                f"{street.org_id}-c{c:02d}", street.org_id, f"中共{place}委员会", "general_branch"
            )
            orgs.append(community)
            communities.append(community)
            kiosks.append(
                Kiosk(f"kiosk-{community.org_id}", community.org_id, f"{place}党群服务中心")
            )
            for g in range(1, rng.randint(3, 8) + 1 if size == "full" else 3):
                orgs.append(
                    Org(
                        f"{community.org_id}-g{g:02d}",
                        community.org_id,
                        f"{place}第{g}网格",
                        "grid",
                        ("grid",),
                    )
                )
    branches: list[Org] = []
    per_community = _spread(rng, n_branches, len(communities), low=1)
    for community, count in zip(communities, per_community, strict=True):
        for b in range(1, count + 1):
            branch = Org(
                f"{community.org_id}-b{b:02d}",
                community.org_id,
                f"{community.name[2:-3]}第{b}党支部",
                "branch",
            )
            branches.append(branch)
    two_new = Org("hj-lx", "hj", "中共惠济区两新组织工作委员会", "working_committee", ("two_new",))
    orgs += [*branches, two_new]
    for i in range(1, n_two_new + 1):
        tag = "building" if i % 3 == 0 else "two_new"
        name = f"{_place(rng)}{'商务楼宇' if tag == 'building' else '科技有限公司'}党支部"
        branch = Org(f"hj-lx-b{i:02d}", two_new.org_id, name, "branch", (tag,))
        orgs.append(branch)
        branches.append(branch)
    people = _people(rng, branches, n_members, today)
    theme_day = datetime.combine(second_friday(today), time(9, 0), CHINA)
    meetings = [
        Meeting(
            f"m-{b.org_id}-{today:%Y%m}-theme",
            b.org_id,
            "theme_day",
            f"{today.month}月主题党日",
            theme_day,
            20,
            20,
        )
        for b in branches
    ]
    return County(orgs, people, kiosks, meetings)


def _spread(rng: random.Random, total: int, buckets: int, low: int) -> list[int]:
    counts = [low] * buckets
    for _ in range(total - low * buckets):
        counts[rng.randrange(buckets)] += 1
    return counts


def _place(rng: random.Random) -> str:
    return rng.choice(PLACE_WORDS) + rng.choice(PLACE_WORDS)


def _people(rng: random.Random, branches: list[Org], total: int, today: date) -> list[Person]:
    sizes = _spread(rng, total, len(branches), low=min(8, total // len(branches)))
    people: list[Person] = []
    cards: set[str] = set()
    id_numbers: set[str] = set()
    for branch, size in zip(branches, sizes, strict=True):
        for _ in range(size):
            n = len(people)
            gender = rng.choice(("male", "female"))
            birth = date(rng.randint(1945, 2004), rng.randint(1, 12), rng.randint(1, 28))
            adult = birth.replace(year=birth.year + 18)
            probationary = rng.random() < 0.05
            earliest = max(adult, today - timedelta(days=364)) if probationary else adult
            join = earliest + timedelta(days=rng.randint(0, max(0, (today - earliest).days - 1)))
            card = f"{rng.getrandbits(32):08X}"
            while card in cards:
                card = f"{rng.getrandbits(32):08X}"
            cards.add(card)
            area, seq = rng.choice(AREAS), n % 100
            id_number = make_id_number(area, birth, seq, gender)
            while id_number in id_numbers:
                seq += 1
                id_number = make_id_number(area, birth, seq, gender)
            id_numbers.add(id_number)
            given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            people.append(
                Person(
                    member_id_hint=f"p{n:05d}",
                    org_id=branch.org_id,
                    name=rng.choice(SURNAMES) + given,
                    gender=gender,
                    birth_date=birth,
                    id_number=id_number,
                    phone=f"17{n % 2}{n:08d}",
                    status="probationary" if probationary else "full",
                    join_date=join,
                    card_uid=card,
                    skills=tuple(rng.sample(SKILLS, rng.randint(0, 2))),
                )
            )
    return people
