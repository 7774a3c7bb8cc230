from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "civicgrid.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        from civicgrid.accounts.models import Department, RoleAssignment, User
        from civicgrid.accounts.roles import Role
        from civicgrid.core import audit_labels, confcache

        # intake caches who works where and the departments it routes to (civicgrid.core.confcache)
        confcache.watch(RoleAssignment)
        confcache.watch(Department)
        confcache.watch(User, fields=["is_active", "username"])
        # the audit page names roles in Chinese (core may not import accounts)
        audit_labels.ROLE_LABELS.update({role.value: role.label for role in Role})
        audit_labels.ACTIONS.update(ACTION_LABELS)


ACTION_LABELS = {
    "accounts.login": "登录", "accounts.issue_token": "生成接口令牌", "accounts.revoke_token": "撤销接口令牌",
    "accounts.change_password": "修改密码", "accounts.create_user": "创建账号", "accounts.update_user": "修改账号",
    "accounts.set_user_active": "停用/启用账号", "accounts.assign_role": "分配角色", "accounts.remove_role": "撤销角色",
    "accounts.import_users": "批量导入账号", "accounts.issue_activation": "发送激活链接", "accounts.activate": "激活账号",
    "accounts.hand_over": "人员交接", "accounts.create_department": "新建部门", "accounts.update_department": "修改部门",
    "accounts.set_department_active": "停用/启用部门", "accounts.enrol_totp": "绑定身份验证器",
    "accounts.regenerate_recovery_codes": "重新生成恢复码", "accounts.disable_totp": "关闭双因素认证",
    "accounts.reset_totp": "重置双因素认证",
}
