"""Volunteer service order (新时代文明实践 群众点单): 点单 → 中心审单 → 派单到实践站 → 站点接单 → 分配队伍 →
对接 → 服务 → 群众评单 → 归档 (standards-cn §6, 四单 model).

Version 2 adds 中心直派 (`centre_assign`): the centre, batch-matching its pending orders, sends an order
straight from 待派单 to a team and its volunteers; the team's practice site becomes the main department.
Version 1 stays as SPEC_V1 for the orders pinned to it."""

from __future__ import annotations

from dataclasses import replace

from civicgrid.cases.workflow.spec import Limit, Spec, State, Transition

CENTRE = {"centre_admin"}  # 文明实践中心: reviews, dispatches, calls back
STATION = {"station_admin"}  # 实践站: accepts the order, picks the team (the order's main department)
TEAM = {"volunteer"}  # members of the assigned team (its co-department)
REQUESTER = {"reporter"}  # the resident, or the grid worker who ordered on their behalf
WATCH = {"centre_admin", "system"}

SPEC_V1 = Spec(
    key="volunteer_order",
    version=1,
    label="志愿服务点单",
    description=(
        "群众点单:居民在手机上选择服务并下单(或网格员代老人下单);文明实践中心审单,不予受理须说明原因;"
        "审核通过后派单到实践站(系统按属地、能力、负荷推荐);站点接单并分配志愿服务队伍,拒单或超时未接单"
        "退回中心改派;队伍联系群众、上门服务并填报服务时长;群众评单后归档。紧急救援订单按分钟计时。"
    ),
    initial="ordered",
    states=(
        State("ordered", "待审单", sla=Limit(1, "work_days")),
        State("reviewed", "待派单", sla=Limit(4, "work_hours")),
        State("dispatched", "待站点接单", sla=Limit(1, "work_days")),
        State("station_accepted", "待分配队伍", sla=Limit(1, "work_days")),
        State("assigned", "待对接", sla=Limit(1, "work_days")),
        State("in_service", "服务中", sla=Limit(5, "work_days")),
        State("completed", "待评价", clock=False),
        State("archived", "已归档", terminal=True),
        State("rejected", "不予受理", terminal=True),
        State("cancelled", "已取消", terminal=True),
    ),
    transitions=(
        Transition("accept", "审单通过", ("ordered",), "reviewed", CENTRE),
        Transition("reject", "不予受理", ("ordered",), "rejected", CENTRE, requires={"reason"}, effects={"close"}),
        Transition("dispatch", "派单至实践站", ("reviewed",), "dispatched", CENTRE, requires={"department"},
                   effects={"set_department", "start_clock"}),
        Transition("recall", "收回改派", ("dispatched",), "reviewed", CENTRE, requires={"reason"},
                   effects={"count_return", "stop_clock"}),
        Transition("station_accept", "站点接单", ("dispatched",), "station_accepted", STATION),
        Transition("decline", "站点拒单", ("dispatched",), "reviewed", STATION, requires={"reason"},
                   effects={"count_return", "stop_clock"}),
        Transition("timeout_return", "超时未接单退回", ("dispatched",), "reviewed", {"system"},
                   effects={"count_return", "stop_clock"}),
        Transition("assign_team", "分配服务队伍", ("station_accepted",), "assigned", STATION,
                   requires={"co_departments"}, effects={"add_co_departments"}),
        Transition("contact", "已联系群众", ("assigned",), "in_service", TEAM | STATION, requires={"comment"},
                   effects={"start_clock"}),
        Transition("complete", "服务完成", ("in_service",), "completed", TEAM | STATION, requires={"comment"},
                   effects={"stop_clock"}),
        Transition("rate", "群众评单", ("completed",), "archived", REQUESTER | CENTRE, requires={"satisfaction"},
                   effects={"record_rating", "close"}),
        Transition("archive", "归档(未评价)", ("completed",), "archived", CENTRE, requires={"reason"},
                   effects={"close"}),
        Transition("cancel", "取消订单", ("ordered", "reviewed", "dispatched", "station_accepted", "assigned"),
                   "cancelled", REQUESTER | CENTRE, requires={"reason"}, effects={"close"}),
        Transition("remind", "催办", ("in_service",), "in_service", WATCH, effects={"remind"}),
        Transition("supervise", "督办", ("in_service",), "in_service", WATCH, requires={"comment"},
                   effects={"supervise"}),
    ),
)

CENTRE_ASSIGN = Transition("centre_assign", "中心直派志愿者", ("reviewed",), "assigned", CENTRE,
                           requires={"department", "co_departments"},
                           effects={"set_department", "add_co_departments", "start_clock"})

SPEC = replace(
    SPEC_V1,
    version=2,
    description=(
        "群众点单:居民在手机上选择服务并下单(或网格员代老人下单);文明实践中心审单,不予受理须说明原因;"
        "审核通过后派单到实践站(系统按属地、能力、负荷推荐);站点接单并分配志愿服务队伍,拒单或超时未接单"
        "退回中心改派;中心也可批量匹配待派订单,直接派给服务队伍和志愿者;队伍联系群众、上门服务并填报"
        "服务时长;群众评单后归档。紧急救援订单按分钟计时。"
    ),
    transitions=(*SPEC_V1.transitions[:3], CENTRE_ASSIGN, *SPEC_V1.transitions[3:]),
)
