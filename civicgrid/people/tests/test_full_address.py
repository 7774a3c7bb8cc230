"""A household's address says its room once (issue 18: "…6号楼3单元201 3单元201")."""

from __future__ import annotations

import pytest

from civicgrid.people.models import full_address

pytestmark = pytest.mark.once


@pytest.mark.parametrize(("address", "room", "shown"), [
    ("幸福里6号楼3单元201", "3单元201", "幸福里6号楼3单元201"),
    ("幸福里6号楼", "3单元201", "幸福里6号楼 3单元201"),
    ("", "3单元201", "3单元201"),
    ("幸福里6号楼", "", "幸福里6号楼"),
    (" 幸福里6号楼3单元201 ", " 3单元201", "幸福里6号楼3单元201"),
])
def test_the_room_is_said_once(address, room, shown):
    assert full_address(address, room) == shown
