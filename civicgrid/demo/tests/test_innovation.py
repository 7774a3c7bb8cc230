"""The innovation demo stage on the tiny demo district with the zone: the article's five platforms, the
postdoctoral stations and technology centres linked one to one to the enterprise demo's qualifications,
the article's three challenge projects at their stages, the `company` login's own needs, and a second run
that changes nothing. Slow: it builds the zone's 600 enterprises."""

from __future__ import annotations

import pytest

from civicgrid.accounts.models import User
from civicgrid.demo import innovation as demo_innovation
from civicgrid.demo.tests.conftest import SEED
from civicgrid.enterprises.choices import HELD_STATUSES
from civicgrid.enterprises.models import Qualification
from civicgrid.innovation import queries
from civicgrid.innovation.models import Challenge, Platform

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def made(built_enterprises, django_db_blocker):
    with django_db_blocker.unblock():
        messages = []
        demo_innovation.build(seed=SEED, say=messages.append)
        return messages


@pytest.mark.django_db
def test_platforms_link_the_qualifications(made):
    kinds = list(Platform.objects.filter(host_enterprise__isnull=True).values_list("kind", flat=True))
    assert sorted(kinds) == ["industry_institute", "key_lab", "service_platform", "tech_transfer",
                             "university_institute"]
    for kind, platform_kind in (("postdoctoral_station", "postdoc_station"),
                                ("provincial_tech_centre", "enterprise_tech_centre")):
        held = set(Qualification.objects.filter(kind__code=kind, status__in=HELD_STATUSES).values_list("id", flat=True))
        linked = set(Platform.objects.filter(kind=platform_kind).values_list("qualification_id", flat=True))
        assert linked == held and held
    assert Platform.objects.filter(kind="postdoc_station").count() == 2


@pytest.mark.django_db
def test_the_articles_three_challenges_at_their_stages(made):
    dyes = Challenge.objects.get(title="高档萘醌类染料及其中间体绿色合成")
    assert dyes.status == "selected" and dyes.selected.team.name == "精细合成与清洁工艺团队"
    reached = [m.achieved_on is not None for m in dyes.milestones.order_by("seq")]
    assert reached == [True, True, False] and any(m.achieved_on and m.achieved_on > m.planned_on
                                                  for m in dyes.milestones.all())
    straw = Challenge.objects.get(title="秸秆纤维填充PP汽车内饰材料的研究与应用")
    assert straw.status == "closed" and straw.enterprise_choice is not None and straw.department_choice is None
    deer = Challenge.objects.get(title="梅花鹿、马鹿数字化繁育平台与胚胎生产体系构建技术研究")
    assert deer.status == "completed" and not deer.milestones.filter(achieved_on__isnull=True).exists()
    assert len({dyes.enterprise_id, straw.enterprise_id, deer.enterprise_id}) == 3


@pytest.mark.django_db
def test_company_login_and_a_second_run(made):
    company = User.objects.get(username="company")
    mine = set(queries.board(company, mine=True).values_list("status", flat=True))
    assert mine == {"published", "submitted"}
    assert "withdrawn" not in set(queries.board(company).values_list("status", flat=True))
    count = Challenge.objects.count()
    again = []
    demo_innovation.build(seed=SEED, say=again.append)
    assert again == ["科技创新数据已存在,跳过"] and Challenge.objects.count() == count
