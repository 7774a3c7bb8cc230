"""Chinese labels for the codes the audit log stores (actions, roles), registered as data by the apps that
own them (core imports no domain app): the log keeps the codes, the page shows the labels."""

from __future__ import annotations

from civicgrid.core import permissions

_ROLES: dict[str, str] = {}
_ACTIONS: dict[str, str] = {}


def register_roles(labels: dict[str, str]) -> None:
    _ROLES.update({code: str(label) for code, label in labels.items()})


def register_actions(labels: dict[str, str]) -> None:
    _ACTIONS.update(labels)


def action_label(code: str) -> str:
    """An action's label: its own, else the label of the permission of that name, else the code."""
    if code in _ACTIONS:
        return _ACTIONS[code]
    perm = permissions.registry().get(code)
    return perm.label if perm else code


def role_labels(codes: str) -> str:
    """"audit_admin,grid_worker" -> "审计管理员、网格员"."""
    return "、".join(_ROLES.get(code, code) for code in codes.split(",") if code)
