"""The subsidies demo (figures 15–17, seed-figures.md): the shipped programmes, a 人社局 officer login
(`subsidy`), last year's unemployment-insurance records of about 520 zone enterprises, the 稳岗返还 candidate
list computed from the rules (免申即享) with 467 enterprises approved and paid in the first half of this
year (a few left pending, three refused), the 一次性吸纳就业补贴 candidates left for review, and the monthly
payment batches of 失业保险金 (3,710 persons, 5,848,000 yuan) and 失业补助金 (1,309 persons, 1,479,000 yuan)
imported as Excel files through the real import action. Some persons paid are residents of the demo (linked by
ID number); the others have generated names and valid generated ID numbers of other Liaoyang counties.

Deterministic for a seed and a build day; does nothing when the 稳岗返还 payments exist. The figures are
asserted at the end through `civicgrid.figures.registry.compute`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

from django.utils import timezone

from civicgrid.accounts import actions as accounts
from civicgrid.accounts.models import Department, User
from civicgrid.core import clock, xlsx
from civicgrid.demo import names
from civicgrid.demo.logins import known_password
from civicgrid.enterprises.choices import EnterpriseStatus
from civicgrid.enterprises.models import Enterprise, EnterpriseContact
from civicgrid.people import idnumber
from civicgrid.people.models import Resident, id_number_hash
from civicgrid.subsidies import actions, excel
from civicgrid.subsidies.choices import CandidateStatus
from civicgrid.subsidies.models import Candidate, Disbursement

LOGIN = "subsidy"
REFUNDED = 467  # figure 17
PENDING, REJECTED, INELIGIBLE = 12, 3, 40
BENEFIT = ("unemployment_insurance", 3710, Decimal("5848000"), (1300, 1850), 250)  # figure 15
AID = ("unemployment_subsidy", 1309, Decimal("1479000"), (900, 1360), 80)  # figure 16
OTHER_COUNTIES = ("211002", "211003", "211005", "211011", "211021", "211081")


def _login(security: User) -> User:
    user = User.objects.filter(username=LOGIN).first()
    if user is None:
        user = accounts.create_user(actor=security, username=LOGIN, password=known_password() or None,
                                    display_name="人社局补贴专员")
        accounts.assign_role(actor=security, user=user, role="enterprise_officer",
                             department=Department.objects.get(code="RSJ"))
    return user


def _days(since: date, until: date) -> Callable[[int], date]:
    """A payment day of month `m` (1–6) in [since, until]: the 15th, or the last day in reach."""
    def day(month: int) -> date:
        d = date(since.year, month, 15)
        return min(max(d, since), until)
    return day


def _insurance(rng, subsidy, rsj, year: int, company_enterprise: int | None) -> list[Enterprise]:
    pool = list(Enterprise.objects.filter(status=EnterpriseStatus.OPERATING, is_serious_violation=False)
                .exclude(size_class="").order_by("id"))
    rng.shuffle(pool)
    if company_enterprise is not None:  # the `company` login's enterprise is refunded
        pool.sort(key=lambda e: e.pk != company_enterprise)
    eligible = pool[:REFUNDED + PENDING + REJECTED]
    ineligible = pool[len(eligible):len(eligible) + INELIGIBLE]
    for index, e in enumerate(eligible + ineligible):
        start = {"large": rng.randint(320, 1200), "medium": rng.randint(90, 320), "small": rng.randint(12, 90),
                 "micro": rng.randint(3, 12)}[e.size_class]
        limit = 0.20 if start <= 30 else 0.055
        months = 12
        if index < len(eligible):
            end = start - int(start * limit * rng.random() * 0.9)  # within the limit
            if rng.random() < 0.4:
                end = start + rng.randint(0, max(1, start // 10))  # grew
        elif index % 2:
            end = start - int(start * limit) - 1 - rng.randint(0, max(1, start // 8))  # laid off too many
        else:
            end, months = start, rng.randint(6, 11)  # not a full year paid
        contributions = Decimal(start + end) / 2 * Decimal(rng.randint(420, 560))
        hired = rng.choice([0, 0, 0, 1, 2, 3]) if index % 5 == 0 else 0
        actions.record_insurance_year(actor=subsidy, department=rsj, data=actions.InsuranceInput(
            uscc=e.uscc, year=year, paid_months=months, contributions=contributions.quantize(Decimal("0.01")),
            insured_start=start, insured_end=max(end, 0), hired_unemployed=hired))
    return eligible


def _refunds(rng, subsidy, year: int, eligible: list[Enterprise], day) -> None:
    refund = actions.programme_by_code("job_stabilisation_refund")
    actions.compute_candidates(actor=subsidy, programme=refund, year=year)
    by_enterprise = {c.enterprise_id: c for c in Candidate.objects.filter(programme=refund, year=year)}
    order = [by_enterprise[e.pk] for e in eligible]
    for index, candidate in enumerate(order[:REFUNDED]):
        actions.approve_candidate(actor=subsidy, candidate_id=candidate.pk, paid_on=day(1 + index * 6 // REFUNDED),
                                  reference=f"WGFH{year + 1}{index + 1:04d}")
    for candidate, reason in zip(order[REFUNDED + PENDING:], ["企业已申请注销", "同一主体已在市级兑现",
                                                              "缴费基数核查中发现少缴"], strict=True):
        actions.reject_candidate(actor=subsidy, candidate_id=candidate.pk, reason=reason)
    actions.compute_candidates(actor=subsidy, programme=actions.programme_by_code("hiring_subsidy"), year=year)


def _amounts(rng, persons: int, total: Decimal, bounds: tuple[int, int]) -> list[Decimal]:
    amounts = [rng.randint(*bounds) for _ in range(persons)]
    diff = int(total) - sum(amounts)
    share, rest = divmod(diff, persons)
    return [Decimal(a + share + (1 if i < rest else 0)) for i, a in enumerate(amounts)]


def _people(rng, count: int, residents: list[tuple[str, str]], taken: set[str]) -> list[tuple[str, str]]:
    """(name, ID number): the residents given first, then generated people of other counties (a generated
    number that happens to be a demo resident's is dropped)."""
    people = list(residents)
    taken |= {number for _, number in residents}
    while len(people) < count:
        batch = []
        while len(people) + len(batch) < count:
            gender = rng.choice("MF")
            birth = date(rng.randint(1966, 2003), rng.randint(1, 12), rng.randint(1, 28))
            sequence = rng.randrange(0, 499) * 2 + (1 if gender == "M" else 2)
            number = idnumber.build(rng.choice(OTHER_COUNTIES), birth, sequence)
            if number not in taken:
                taken.add(number)
                batch.append((names.person_name(rng, gender), number))
        hashes = {id_number_hash(number): (name, number) for name, number in batch}
        clash = set(Resident.objects.filter(id_number_hash__in=list(hashes)).values_list("id_number_hash", flat=True))
        people += [person for h, person in hashes.items() if h not in clash]
    return people


def _batches(rng, subsidy, spec, residents, taken, day, until: date) -> None:
    code, persons, total, bounds, _linked = spec
    programme = actions.programme_by_code(code)
    people = _people(rng, persons, residents, taken)
    amounts = _amounts(rng, persons, total, bounds)
    months = list(range(1, until.month + 1 if until.month < 7 else 7))
    rows_by_month: dict[int, list] = {m: [] for m in months}
    for index, ((name, number), amount) in enumerate(zip(people, amounts, strict=True)):
        first = months[index % len(months)]
        if amount > 1000 and rng.random() < 0.15 and len(months) > 1:  # paid in two months
            second = months[(months.index(first) + 1) % len(months)]
            half = (amount / 2).quantize(Decimal("1"))
            rows_by_month[first].append((name, number, half))
            rows_by_month[second].append((name, number, amount - half))
        else:
            rows_by_month[first].append((name, number, amount))
    for month, rows in rows_by_month.items():
        workbook = _workbook(rows, day(month), f"{programme.name}{day(month):%Y%m}", programme.name, month)
        excel.import_batch(actor=subsidy, programme=programme, file=workbook,
                           file_name=f"{day(month).year}年{month}月{programme.name}发放.xlsx")


def _workbook(rows, paid_on: date, prefix: str, label: str, month: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("发放批次")
    xlsx.write_row(sheet, [c.header for c in excel.PERSON + excel.COMMON])
    for index, (name, number, amount) in enumerate(rows, start=1):
        xlsx.write_row(sheet, [name, number, f"{amount:.2f}", "人民币", paid_on.isoformat(),
                               f"{prefix}-{index:05d}", f"{paid_on.year}年{month}月{label}"])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _residents(rng, count: int, skip: set[int]) -> list[tuple[str, str]]:
    """Demo residents of working age with an ID number, as (name, number)."""
    today = timezone.localdate()
    rows = list(Resident.objects.filter(is_active=True, birth_date__gte=date(today.year - 58, 1, 1),
                                        birth_date__lte=date(today.year - 20, 1, 1)).exclude(id_number_hash="")
                .exclude(pk__in=skip).order_by("id").values_list("pk", flat=True)[:5000])
    chosen = sorted(rng.sample(rows, min(count, len(rows))))
    skip |= set(chosen)
    return [(r.name, r.id_number) for r in Resident.objects.filter(pk__in=chosen).order_by("id")]


def build(*, seed: int, say: Callable[[str], None]) -> None:
    if Disbursement.objects.filter(programme__code="job_stabilisation_refund").exists():
        say("补贴数据已存在,跳过。")
        return
    rng = random.Random(f"subsidies-{seed}")
    security = User.objects.get(username="security")
    actions.seed_programmes(actor=None)
    subsidy = _login(security)
    rsj = Department.objects.get(code="RSJ")
    today = timezone.localtime(clock.now()).date()
    since, until = date(today.year, 1, 1), min(today - timedelta(days=1), date(today.year, 6, 30))
    until = max(until, since)
    day = _days(since, until)
    company = EnterpriseContact.objects.filter(user__username="company", is_active=True).values_list(
        "enterprise_id", flat=True).first()
    eligible = _insurance(rng, subsidy, rsj, today.year - 1, company)
    say(f"  已登记 {today.year - 1} 年度失业保险缴费记录")
    _refunds(rng, subsidy, today.year - 1, eligible, day)
    say(f"  稳岗返还:免申即享测算并核准 {REFUNDED} 家")
    linked: set[int] = set()
    taken: set[str] = set()
    for spec in (BENEFIT, AID):
        _batches(rng, subsidy, spec, _residents(rng, spec[4], linked), taken, day, until)
        say(f"  {spec[0]}:已导入 {spec[1]} 人的发放批次")
    _check(today)


def _check(today: date) -> None:
    from civicgrid.figures import registry

    got = {i["key"]: i["values"] for i in registry.compute(today, keys=[
        "unemployment_insurance", "unemployment_subsidy", "job_stabilisation_refunds"])}
    want = {"unemployment_insurance": {"persons": 3710, "yuan": 5848000},
            "unemployment_subsidy": {"persons": 1309, "yuan": 1479000},
            "job_stabilisation_refunds": {"enterprises": 467}}
    if got != want:
        raise AssertionError(f"subsidy figures {got} != {want}")
    pending = Candidate.objects.filter(status=CandidateStatus.PENDING).count()
    if pending < PENDING:
        raise AssertionError(f"only {pending} pending candidates")
