from civicgrid.core.permissions import Permission, declare

declare(
    Permission("accounts.view_user", "查看用户账号"),
    Permission("accounts.manage_user", "管理用户账号、角色与范围"),
    Permission("accounts.view_department", "查看部门"),
    Permission("accounts.manage_department", "维护部门"),
)
