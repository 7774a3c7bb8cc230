"""The permission registry: every permission is declared once, as data, in `<app>/permissions.py`.

Roles (accounts.roles) map to these names; docs/permissions.md is checked against this registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps


@dataclass(frozen=True)
class Permission:
    name: str  # "<app>.<verb>_<noun>"
    label: str  # Chinese label shown to admins
    sensitive: bool = False  # grants access to sensitive personal data (PIPL art. 28): audited on use


_REGISTRY: dict[str, Permission] = {}


def declare(*perms: Permission) -> tuple[Permission, ...]:
    for perm in perms:
        existing = _REGISTRY.get(perm.name)
        if existing and existing != perm:
            raise ValueError(f"permission {perm.name} declared twice")
        _REGISTRY[perm.name] = perm
    return perms


def registry() -> dict[str, Permission]:
    """All declared permissions, importing each installed app's permissions module once."""
    for config in apps.get_app_configs():
        if config.name.startswith("civicgrid."):
            try:
                import_module(f"{config.name}.permissions")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.permissions":
                    raise
    return dict(_REGISTRY)


def get(name: str) -> Permission:
    perms = registry()
    if name not in perms:
        raise KeyError(f"unknown permission {name!r}")
    return perms[name]


declare(
    Permission("core.view_auditevent", "查看审计日志"),
    Permission("core.change_calendar", "维护工作日历"),
)
