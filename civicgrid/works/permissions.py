from civicgrid.core.permissions import Permission, declare

declare(
    Permission("works.view_work", "查看创城项目(含计划、在建)"),
    Permission("works.change_work", "登记、更新、完工确认创城项目"),
)
