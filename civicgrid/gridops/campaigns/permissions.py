from civicgrid.core.permissions import Permission, declare

declare(
    Permission("campaigns.view_campaign", "查看专项排查任务与进度"),
    Permission("campaigns.answer_campaign", "入户填报专项排查表"),
    Permission("campaigns.manage_campaign", "发布专项排查任务、设计表单、导出结果"),
)
