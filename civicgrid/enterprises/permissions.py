from civicgrid.core.permissions import Permission, declare

declare(
    Permission("enterprises.view_enterprise", "查看企业档案(资质、专利、预审结果)"),
    Permission("enterprises.view_zone", "查看高新区概况、企业名录与培育对象排名"),
    Permission("enterprises.view_metrics", "查看企业经营数据与信用标记(每次查看留痕)"),
    Permission("enterprises.change_enterprise", "登记、修改企业档案、资质和专利"),
    Permission("enterprises.report_metrics", "填报企业年度经营数据"),
    Permission("enterprises.import_enterprises", "从 Excel 批量导入企业"),
    Permission("enterprises.export_enterprises", "导出企业名录"),
    Permission("enterprises.run_precheck", "对企业进行资格预审"),
    Permission("enterprises.use_portal", "使用企业联系人门户(本企业)"),
    Permission("enterprises.manage_catalogue", "维护园区、资质类别、预审规则和审批事项目录"),
)
