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
