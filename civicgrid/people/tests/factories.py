"""Small builders for people tests (not imported by production code)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from civicgrid.people import idnumber
from civicgrid.people.excel.columns import HEADERS
from civicgrid.people.models import Building, Household, Resident, Tag, id_number_hash, phone_hash


def ident(sequence: int, birth: date = date(1980, 5, 17), area: str = "211004") -> str:
    """A valid ID number; odd sequence = male."""
    return idnumber.build(area, birth, sequence)


def wrong_check_digit(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


def make_building(region, code: str, name: str = "3号楼") -> Building:
    return Building.objects.create(region=region, code=code, name=name, address=f"{name}地址")


def make_household(region, number: str, building=None, address: str = "幸福里小区") -> Household:
    return Household.objects.create(region=region, number=number, building=building, address=address, room="101")


def make_resident(household: Household, name: str, id_number: str, phone: str = "", relation: str = "head") -> Resident:
    info = idnumber.parse(id_number)
    return Resident.objects.create(
        region=household.region, household=household, name=name, relation=relation, gender=info.gender,
        birth_date=info.birth_date, id_number=info.number, id_number_hash=id_number_hash(info.number),
        phone=phone, phone_hash=phone_hash(phone) if phone else "",
    )


def make_tags() -> tuple[Tag, Tag]:
    elderly = Tag.objects.create(code="elderly_alone", name="独居老人", contact_every_days=7)
    key = Tag.objects.create(code="community_correction", name="社区矫正对象", is_sensitive=True)
    return elderly, key


def xlsx(rows: list[list], headers=HEADERS) -> BytesIO:
    """An in-memory workbook: the header row, then `rows` (lists in column order)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "people.xlsx"
    return buffer


def bearer(user) -> dict:
    from civicgrid.accounts.actions import issue_token

    raw, _ = issue_token(user=user)
    return {"Authorization": f"Bearer {raw}"}
