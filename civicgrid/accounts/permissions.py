from civicgrid.core.permissions import Permission, declare

# 等保 三员分立: the system administrator keeps the accounts (create, edit, deactivate), the security
# administrator grants roles and scopes, the audit administrator reads the log (core.view_auditevent).
declare(
    Permission("accounts.view_user", "查看用户账号"),
    Permission("accounts.change_user", "创建、编辑、停用和启用账号"),
    Permission("accounts.manage_user", "分配和撤销角色与管辖范围"),
    Permission("accounts.import_users", "批量导入工作人员账号并分配角色"),
    Permission("accounts.hand_over", "人员离岗交接:把其任务交给接替人"),
    Permission("accounts.view_department", "查看部门"),
    Permission("accounts.manage_department", "维护部门"),
)
