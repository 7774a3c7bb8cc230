from civicgrid.core.permissions import Permission, declare

declare(
    Permission("investment.view_project", "查看投资项目、里程碑、审批事项和月度投资报表"),
    Permission("investment.change_project", "登记投资项目、推进项目阶段、登记项目审批事项"),
    Permission("investment.report_investment", "填报项目月度固定资产投资"),
    Permission("investment.review_report", "审核月度投资报表(项目的审核部门)"),
    Permission("investment.view_attraction", "查看招商线索、到位资金和项目看板"),
    Permission("investment.manage_attraction", "登记和推进招商线索、登记到位资金"),
)
