"""build_demo: the deterministic demo district (see docs/demo.md)."""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandError

from civicgrid.cases.actions import sync_categories
from civicgrid.demo import builder, logins, report, stages, tree
from civicgrid.demo import campaigns as demo_campaigns
from civicgrid.demo import cases as demo_cases
from civicgrid.demo import city as demo_city
from civicgrid.demo import enterprises as demo_enterprises
from civicgrid.demo import fieldwork as demo_fieldwork
from civicgrid.demo import patrols as demo_patrols
from civicgrid.demo import routing as demo_routing
from civicgrid.demo import sql as demo_sql
from civicgrid.demo import triage as demo_triage
from civicgrid.demo import volunteers as demo_volunteers
from civicgrid.demo.timing import Timings

CITY = "city"
DEFAULT_CASES = 800


def _scale(value: str):
    """--scale: a population multiple for the demo district, or `city` for the generated city."""
    if value == CITY:
        return CITY
    try:
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("规模应为数字(人口倍数)或 city") from None


class Command(BaseCommand):
    help = "构建演示区县(宏伟区 211004):区域网格、部门、账号、房屋、户籍与居民。同一种子结果相同。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=builder.DEFAULT_SEED, help="随机种子(默认 %(default)s)")
        parser.add_argument("--scale", type=_scale, default=1.0,
                            help="人口规模倍数:1.0 约 8 万户、20 万人;不影响区域网格和网格员账号。"
                                 "city:生成多区县的城市(基准测试用,见 --districts、--streets、--cases)")
        parser.add_argument("--districts", type=int, default=demo_city.DISTRICTS,
                            help="--scale city:区县数(默认 %(default)s)")
        parser.add_argument("--streets", type=int, default=demo_city.STREETS,
                            help="--scale city:街道总数(默认 %(default)s)")
        parser.add_argument("--per-year", type=int, default=demo_city.PER_YEAR,
                            help="--scale city:每年案件数,决定案件覆盖的时间跨度(默认 %(default)s)")
        parser.add_argument("--if-empty", action="store_true", help="区县已存在时什么也不做(./run demo 使用)")
        parser.add_argument("--cases", type=int, default=None,
                            help="一年内演示案件数,经真实业务动作逐步办理(默认 800;0 表示不生成);"
                                 f"--scale city:城市案件总数,批量写入(默认 {demo_city.CASES})")
        parser.add_argument("--volunteer-orders", type=int, default=demo_volunteers.ORDERS,
                            help="近半年志愿服务点单数,经真实业务动作逐单办理并全部对接(默认 %(default)s;0 表示不生成;"
                                 "文明实践阵地、志愿者和捐赠照常生成)")
        parser.add_argument("--patrol-days", type=int, default=30,
                            help="近几天的日常巡查(默认 %(default)s;0 表示不生成)")
        parser.add_argument("--no-field-work", action="store_true",
                            help="不生成网格工作(走访、重点人员、排查、专项排查、巡查),基准测试用")
        parser.add_argument("--stage", choices=sorted(stages.BY_KEY), default=None,
                            help="只在已有的演示区县上补建这一部分(后来加入的业务领域);已建过则什么也不做")
        parser.add_argument("--password", default=None,
                            help="演示账号密码(默认 CIVICGRID_DEMO_PASSWORD,否则生成并保存在 var/demo_password)")

    def handle(self, *args, **options):
        with demo_sql.bulk_writes():  # this process writes alone for minutes: the database's bulk mode
            self._build(*args, **options)

    def _build(self, *args, seed, scale, if_empty, password, cases, volunteer_orders, patrol_days, no_field_work,
               stage, districts, streets, per_year, **options):
        if scale == CITY:
            self._build_city(seed=seed, password=password, districts=districts, streets=streets, per_year=per_year,
                             cases=demo_city.CASES if cases is None else cases)
            return
        cases = DEFAULT_CASES if cases is None else cases
        timings = self.timings = Timings(say=self.stdout.write)
        if stage:
            if not builder.demo_exists():
                raise CommandError(f"区县 {tree.DISTRICT_CODE} 不存在:请先构建演示区县,再补建 {stage}。")
            self._run_stage(stages.BY_KEY[stage], seed)
            return
        if builder.demo_exists():
            if if_empty:
                self.stdout.write(f"区县 {tree.DISTRICT_CODE} 已存在,跳过演示数据构建。")
                self.stdout.write(report.logins_text(logins.known_password()))
                return
            self.stdout.write(f"区县 {tree.DISTRICT_CODE} 已存在:演示数据只构建一次,本次未做任何修改。")
            self.stdout.write(report.logins_text(logins.known_password()))
            return
        walks: list[demo_patrols.Started] = []

        def start_walks() -> None:  # worked out on the other core while the next stages run
            if not no_field_work and patrol_days > 0:
                with timings.stage("patrols-start"):
                    sync_categories()  # a finding's category is drawn among them
                    walks.append(demo_patrols.start(seed=seed, days=patrol_days))

        try:
            result = builder.build(seed=seed, scale=scale, password=password, progress=self.stdout.write,
                                   timings=timings, after_population=start_walks)
        except (logins.PasswordRejected, ValueError) as exc:
            raise CommandError(str(exc)) from None
        counts = result.counts
        with timings.stage("routing"):
            sync_categories()
            demo_routing.build(say=self.stdout.write)  # before any case: cases are routed by the rules
        if cases > 0:
            self.stdout.write(f"正在按真实流程生成 {cases} 件演示案件(一年)……")
            with timings.stage("cases"):
                made = demo_cases.generate(seed=seed, count=cases)
            self.stdout.write(f"案件 {made['cases']} 件,流程动作 {made['steps']} 次。")
        orders = f",并按真实流程办理近半年的 {volunteer_orders} 个志愿服务点单" if volunteer_orders > 0 else ""
        self.stdout.write(f"正在生成文明实践阵地、志愿者和捐赠记录{orders}……")
        with timings.stage("volunteers"):
            made = demo_volunteers.generate(seed=seed, scale=scale, orders=max(0, volunteer_orders))
        if made:
            self.stdout.write(
                f"文明实践阵地 {made['sites']} 个,服务队 {made['teams']} 支,志愿者 {made['volunteers']} 名;"
                f"点单 {made['orders']} 个,对接成功 {made['matched']} 个;向低保户发放捐赠 {made['low_income_yuan']} 元"
                f"(用时 {made['seconds']} 秒)。")
        self.stdout.write("正在生成高新区:园区、企业、资质、专利、审批事项和梯度培育预审……")
        with timings.stage("enterprises"):
            made = demo_enterprises.generate(seed=seed)
        if made:
            self.stdout.write(
                f"高新区企业 {made['enterprises']} 家,年度数据 {made['metrics']} 条,专利 {made['patents']} 项,"
                f"审批事项 {made['approval_items']} 项,预审结果 {made['precheck_reports']} 份(用时 {made['seconds']} 秒)。")
        if not no_field_work:
            self.stdout.write("正在生成网格工作:入户走访、重点人员、矛盾纠纷排查、警网联动、专项排查……")
            with timings.stage("fieldwork"):
                demo_fieldwork.build(seed=seed, say=self.stdout.write)  # each step reports its own counts
            with timings.stage("campaigns"):
                demo_campaigns.build(seed=seed, say=self.stdout.write)
            if patrol_days > 0:
                self.stdout.write(f"正在生成近{patrol_days}天的日常巡查(轨迹、点位打卡、巡查发现)……")
                with timings.stage("patrols"):
                    made = demo_patrols.build(seed=seed, days=patrol_days, say=self.stdout.write,
                                              started=walks[0] if walks else None)
                self.stdout.write(f"巡查 {made.get('patrols', 0)} 次,轨迹点 {made.get('points', 0)} 个,"
                                  f"点位经过 {made.get('visits', 0)} 次,巡查发现 {made.get('findings', 0)} 件"
                                  f"(用时 {made.get('seconds')} 秒)。")
            self.stdout.write("正在分拨现场上报的案件(走访、排查、警情移交、专项排查、巡查发现)……")
            with timings.stage("triage"):
                demo_triage.build(seed=seed, say=self.stdout.write)
        for later in stages.STAGES:
            self._run_stage(later, seed)
        with timings.stage("statistics"):
            demo_sql.analyze()
        self.stdout.write(self.style.SUCCESS(
            f"演示区县已构建(种子 {seed},规模 {scale},用时 {result.seconds} 秒):"
            f"网格 {counts['regions_grid']} 个,微网格 {counts['regions_micro_grid']} 个,"
            f"微网格员 {counts['micro_grid_workers']} 名,楼栋 {counts['buildings']} 栋,"
            f"户 {counts['households']} 户,居民 {counts['residents']} 人,标签 {counts['resident_tags']} 个。"
        ))
        self.stdout.write(report.logins_text(result.password))
        self.stdout.write(f"(密码来源:{result.password_source})")
        self.stdout.write("各阶段用时(CPU 为本进程,不含数据库服务器):\n" + timings.table())

    def _build_city(self, *, seed, password, districts, streets, per_year, cases) -> None:
        if cases < 0 or per_year <= 0:
            raise CommandError("案件数不能为负,每年案件数须为正数")
        plan = demo_city.Plan(districts=districts, streets=streets, cases=cases, per_year=per_year, seed=seed)
        try:
            counts = demo_city.build(plan=plan, password=password, say=self.stdout.write)
        except (logins.PasswordRejected, ValueError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"城市演示数据已就绪:新增案件 {counts['cases_added']} 件(用时 {counts['seconds']} 秒)。"))

    def _run_stage(self, stage: stages.Stage, seed: int) -> None:
        self.stdout.write(f"正在生成{stage.label}……")
        with self.timings.stage(stage.key):
            stage.run(seed=seed, say=self.stdout.write)
