from civicgrid.core.permissions import Permission, declare

declare(
    Permission("webhooks.manage_webhooks", "管理事件推送订阅并查看推送记录"),
)
