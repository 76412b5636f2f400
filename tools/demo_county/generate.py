"""A deterministic demo county shaped like 惠济区 (Zhengzhou, area code 410108).

The tree: the district committee, 8 street/town working committees, communities (社区) and villages
(村) with their grids and branches, and a 两新 working committee with enterprise and building
branches; members with cards, one kiosk per community/village and this month's theme days.

Pure and deterministic: ``random.Random(seed)``, no I/O. The random stream does not depend on
``today``, so orgs, people (names, ID numbers, phones, cards, skills), kiosks and meeting ids are
identical for any ``today``; only join dates (anchored before ``today``) and meeting times move.
Synthetic people only: names from common characters, ID numbers valid in form only, phones in the
170/171 virtual-carrier ranges.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from itertools import accumulate
from typing import Literal, NamedTuple

from services.members.idcard import make_id_number

# China has kept UTC+8 without daylight saving since 1991: a fixed offset is exact.
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
ROOT_ID = "hj"
STREETS = ("新城街道", "大河路街道", "长兴路街道", "迎宾路街道", "刘寨街道", "老鸦陈街道")
TOWNS = ("花园口镇", "古荥镇")
COMMUNITY_WORDS = "天河清华江山银杏东风南阳新兴和平安康宁福瑞祥丰泰明光月湖绿源锦"
COMMUNITY_SUFFIXES = ("", "", "路", "园", "苑", "里")
VILLAGE_SUFFIXES = "庄寨营堡岗湾店桥"
FIRM_TRADES = ("科技", "物流", "建设", "商贸", "食品", "文化传媒", "环保")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN_MALE = "伟强磊军洋勇杰涛明超刚华建国志文辉鹏斌宇浩凯峰亮俊鑫东振海"
GIVEN_FEMALE = "芳娜敏静丽艳娟秀霞桂英玉兰红丹萍婷雪琳慧颖洁燕璐倩"
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
# Zhengzhou district area codes: 惠济区 mostly, some members born elsewhere in the city.
AREAS = ("410108",) * 12 + ("410102", "410103", "410104", "410105", "410106")
BIRTH_FIRST, BIRTH_LAST = date(1945, 1, 1), date(2004, 12, 31)
BRANCH_MIN, BRANCH_MAX = 8, 80
PROBATIONARY_SHARE = 0.05
EARLIEST_TODAY = date(2024, 1, 1)  # everyone born by 2004 has been an adult for a year by then


class Shape(NamedTuple):
    streets: int  # streets and towns, at most 8 (the real ones)
    communities: int  # communities and villages in total
    grids: tuple[int, int]  # grids per community/village, inclusive bounds
    branches: int  # branches in total, including the 两新 ones
    two_new: int  # 两新/楼宇 branches under the 两新 working committee
    members: int


SIZES = {
    "full": Shape(8, 75, (3, 8), 298, 20, 11_200),
    "small": Shape(2, 4, (2, 2), 8, 1, 120),
}


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
    gender: Literal["male", "female"]
    birth_date: date
    id_number: str
    phone: str
    status: Literal["full", "probationary"]
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
    """The second Friday of ``day``'s month (惠济区's theme day)."""
    first = day.replace(day=1)
    return first + timedelta(days=(4 - first.weekday()) % 7 + 7)


def generate_county(size: str = "full", seed: int = 410108, *, today: date) -> County:
    """The demo county: ``size`` is "full" (the seed figures) or "small" (fast tests).

    ``orgs`` come parent first; ``today`` (2024-01-01 or later) anchors join dates and meetings.
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}")
    if today < EARLIEST_TODAY:
        raise ValueError(f"today must be {EARLIEST_TODAY} or later, got {today}")
    shape = SIZES[size]
    rng = random.Random(seed)
    orgs = [Org(ROOT_ID, None, "中共郑州市惠济区委员会", "committee")]
    kiosks: list[Kiosk] = []
    names: set[str] = set()
    units = [(name, "社区") for name in STREETS] + [(name, "村") for name in TOWNS]
    units = units[: shape.streets - 1] + units[-1:]  # the small county keeps one town
    per_street = _spread(
        rng, shape.communities, shape.streets, low=min(5, shape.communities // shape.streets)
    )
    per_community = _spread(rng, shape.branches - shape.two_new, shape.communities, low=1)
    branch_counts = iter(per_community)
    for s, ((street_name, unit), n_communities) in enumerate(
        zip(units, per_street, strict=True), 1
    ):
        street = Org(
            f"{ROOT_ID}-s{s:02d}",
            ROOT_ID,
            street_name + ("党委" if unit == "村" else "党工委"),
            "working_committee",
        )
        orgs.append(street)
        for c in range(1, n_communities + 1):
            place = _unique(names, _village if unit == "村" else _community, rng)
            community_id = f"{street.org_id}-c{c:02d}"
            grids = rng.randint(*shape.grids)
            orgs += _community_tree(community_id, street.org_id, place, grids, next(branch_counts))
            kiosks.append(Kiosk(f"kiosk-{community_id}", community_id, f"{place}党群服务中心"))
    lx = Org(f"{ROOT_ID}-lx", ROOT_ID, "惠济区两新组织党工委", "working_committee", ("two_new",))
    orgs.append(lx)
    for i in range(1, shape.two_new + 1):
        tag = "building" if i % 4 == 0 else "two_new"
        name = _unique(names, _building if tag == "building" else _firm, rng)
        orgs.append(Org(f"{lx.org_id}-b{i:02d}", lx.org_id, name + "党支部", "branch", (tag,)))
    branches = [o for o in orgs if o.kind == "branch"]
    people = _people(rng, branches, shape.members, today)
    return County(orgs, people, kiosks, _theme_days(branches, today))


def _community_tree(
    org_id: str, parent_id: str, place: str, grids: int, branches: int
) -> list[Org]:
    """A community/village (党委 from 3 branches, else 党总支), then its grids and branches."""
    kind_name = "党委" if branches >= 3 else "党总支"
    return [
        Org(org_id, parent_id, place + kind_name, "general_branch"),
        *(
            Org(f"{org_id}-g{g:02d}", org_id, f"{place}第{_cn(g)}网格", "grid", ("grid",))
            for g in range(1, grids + 1)
        ),
        *(
            Org(f"{org_id}-b{b:02d}", org_id, f"{place}第{_cn(b)}党支部", "branch")
            for b in range(1, branches + 1)
        ),
    ]


def _theme_days(branches: list[Org], today: date) -> list[Meeting]:
    starts_at = datetime.combine(second_friday(today), time(9, 0), CHINA)
    title = f"{today.year}年{today.month}月主题党日"
    return [
        Meeting(f"m-{b.org_id}-{today:%Y%m}-theme", b.org_id, "theme_day", title, starts_at, 20, 20)
        for b in branches
    ]


def _people(rng: random.Random, branches: list[Org], total: int, today: date) -> list[Person]:
    sizes = _branch_sizes(rng, total, len(branches))
    people: list[Person] = []
    seen: set[str] = set()  # ID numbers, phones and card UIDs never collide with each other
    for branch, size in zip(branches, sizes, strict=True):
        for _ in range(size):
            gender: Literal["male", "female"] = "male" if rng.random() < 0.68 else "female"
            birth = date.fromordinal(rng.randint(BIRTH_FIRST.toordinal(), BIRTH_LAST.toordinal()))
            id_number = _unique(seen, _id_number, rng, rng.choice(AREAS), birth, gender)
            probationary = rng.random() < PROBATIONARY_SHARE
            given = GIVEN_MALE if gender == "male" else GIVEN_FEMALE
            people.append(
                Person(
                    member_id_hint=f"p{len(people) + 1:05d}",
                    org_id=branch.org_id,
                    name=rng.choice(SURNAMES)
                    + "".join(rng.choices(given, k=rng.choice((1, 2, 2)))),
                    gender=gender,
                    birth_date=birth,
                    id_number=id_number,
                    phone=_unique(seen, _phone, rng),
                    status="probationary" if probationary else "full",
                    join_date=_join_date(birth, probationary, rng.random(), today),
                    card_uid=_unique(seen, _card_uid, rng),
                    skills=tuple(rng.sample(SKILLS, rng.choice((0, 1, 1, 2)))),
                )
            )
    return people


def _join_date(birth: date, probationary: bool, u: float, today: date) -> date:
    """Full members joined between their 18th birthday (+30 years at most) and a year ago;
    probationary members within the last year (never before their 18th birthday)."""
    adult = _add_years(birth, 18)
    if probationary:
        first, last = max(adult, today - timedelta(days=364)), today - timedelta(days=1)
    else:
        last = today - timedelta(days=366)
        first, last = adult, min(last, _add_years(adult, 30))
    return first + timedelta(days=int(u * ((last - first).days + 1)))


def _branch_sizes(rng: random.Random, total: int, n: int) -> list[int]:
    """Uneven sizes within [BRANCH_MIN, BRANCH_MAX] summing to ``total``."""
    low = min(BRANCH_MIN, total // n)
    if not low * n <= total <= BRANCH_MAX * n:
        raise ValueError(f"cannot spread {total} members over {n} branches")
    cum_weights = list(accumulate(rng.lognormvariate(0, 0.6) for _ in range(n)))
    sizes = [low] * n
    for i in rng.choices(range(n), cum_weights=cum_weights, k=total - low * n):
        while sizes[i] >= BRANCH_MAX:  # full: give the member to another branch
            i = rng.choices(range(n), cum_weights=cum_weights)[0]
        sizes[i] += 1
    return sizes


def _spread(rng: random.Random, total: int, buckets: int, low: int) -> list[int]:
    counts = [low] * buckets
    for _ in range(total - low * buckets):
        counts[rng.randrange(buckets)] += 1
    return counts


def _unique(seen: set[str], make: Callable[..., str], *args: object) -> str:
    """Draw ``make(*args)`` until it gives a value not in ``seen``; remember it."""
    value = make(*args)
    while value in seen:
        value = make(*args)
    seen.add(value)
    return value


def _id_number(rng: random.Random, area: str, birth: date, gender: str) -> str:
    return make_id_number(area, birth, rng.randrange(100), gender)


def _phone(rng: random.Random) -> str:
    return rng.choice(("170", "171")) + f"{rng.randrange(10**8):08d}"


def _card_uid(rng: random.Random) -> str:
    return f"{rng.getrandbits(32):08X}"


def _community(rng: random.Random) -> str:
    return "".join(rng.sample(COMMUNITY_WORDS, 2)) + rng.choice(COMMUNITY_SUFFIXES) + "社区"


def _village(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(VILLAGE_SUFFIXES) + "村"


def _firm(rng: random.Random) -> str:
    return f"郑州{''.join(rng.sample(COMMUNITY_WORDS, 2))}{rng.choice(FIRM_TRADES)}有限公司"


def _building(rng: random.Random) -> str:
    return "".join(rng.sample(COMMUNITY_WORDS, 2)) + rng.choice(("大厦", "国际商务中心", "科创园"))


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return date(day.year + years, 3, 1)


def _cn(n: int) -> str:
    """Chinese numeral for 1..99: 1 → 一, 12 → 十二, 20 → 二十."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")
    return head + (digits[ones] if ones else "")
