from civicgrid.core.permissions import Permission, declare

declare(
    Permission("subsidies.view_programme", "查看补贴项目目录(规则、公式、发放部门)"),
    Permission("subsidies.view_disbursement", "查看补贴发放记录与合计(企业联系人:本企业所获补贴)"),
    Permission("subsidies.view_candidate", "查看免申即享候选名单与失业保险缴费记录"),
    Permission("subsidies.record_facts", "登记企业失业保险缴费、参保人数等年度数据"),
    Permission("subsidies.review_candidate", "测算免申即享候选名单,审核、核准或不予发放"),
    Permission("subsidies.pay", "逐笔登记补贴发放、导入发放批次"),
    Permission("subsidies.export", "导出补贴发放明细"),
    Permission("subsidies.manage_programme", "维护补贴项目并发布资格规则、金额公式的新版本"),
)
