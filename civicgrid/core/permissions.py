"""The permission registry: every permission is declared once, as data, in `<app>/permissions.py`.

Roles (accounts.roles) map to these names; docs/roles.md is rendered from both, and a test fails when a
role names a permission this registry does not declare.
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
    # another permission whose reach bounds this one's: e.g. key-person pages name a sensitive tag, so they
    # reach no further than people.view_sensitive_tags (scoping.grant_for applies it)
    within: str | None = None


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


_BOUNDS: dict[str, str] | None = None


def bound(name: str) -> str | None:
    """The permission that bounds `name`'s reach (`Permission.within`), or None."""
    global _BOUNDS
    if _BOUNDS is None:
        _BOUNDS = {p.name: p.within for p in registry().values() if p.within}
    return _BOUNDS.get(name)


def get(name: str) -> Permission:
    perms = registry()
    if name not in perms:
        raise KeyError(f"unknown permission {name!r}")
    return perms[name]


declare(
    Permission("core.view_auditevent", "查看审计日志"),
    Permission("core.change_calendar", "维护工作日历"),
)
