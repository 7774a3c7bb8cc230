from civicgrid.core.permissions import Permission, declare

declare(
    Permission("cases.view_case", "查看案件工单"),
    Permission("cases.create_case", "登记/上报案件"),
    Permission("cases.manage_routing", "维护案件分类与派遣规则"),
    Permission("cases.view_kpis", "查看考核指标"),
    Permission("cases.record_external", "代区外单位(市级部门、银行等)登记其在案件中的办理情况"),
)
