"""The service catalogue's requirements: which capability a service needs beyond the volunteer offering
that service (the category code itself is a skill), and the certificate kinds volunteers may hold.

The services themselves (心理援助 … 紧急救援 and their items) are case categories under "70"
(civicgrid.cases.flows.catalogue), so an order is a case like any other.
"""

from __future__ import annotations

SERVICE_ROOT = "70"

# certificate kinds (Qualification.kind) and what they let a volunteer do
QUALIFICATIONS: dict[str, str] = {
    "心理咨询师": "心理咨询师资格或心理治疗师证",
    "执业律师": "律师执业证",
    "法律工作者": "基层法律服务工作者执业证",
    "医护人员": "执业医师或护士执业证",
    "急救员": "红十字救护员证或急救员证",
    "教师": "教师资格证",
    "社会工作者": "社会工作者职业资格证",
    "康复治疗师": "康复治疗师资格证",
}

# top-level service code -> certificates every volunteer serving it must hold (valid on the service day)
REQUIRED: dict[str, frozenset[str]] = {
    "7001": frozenset({"心理咨询师"}),
    "7002": frozenset({"执业律师"}),
    "7003": frozenset(),
    "7004": frozenset(),
    "7005": frozenset(),
    "7006": frozenset(),
    "7007": frozenset({"医护人员"}),
    "7008": frozenset({"急救员"}),
}
# items that need less than their service (文书代写 is done by any legal-aid volunteer, lawyer or not)
ITEM_REQUIRED: dict[str, frozenset[str]] = {
    "700202": frozenset(),
}
EMERGENCY = "7008"
EMERGENCY_NOTICE = "如遇危及生命、财产安全的紧急情况,请先拨打 120(急救)、110(报警)、119(火警)。"


def service_of(category_code: str) -> str:
    """The top-level service (4-digit code) of a service category or item."""
    return category_code[:4]


def required_caps(category_code: str) -> frozenset[str]:
    """What a volunteer must hold to serve this category: the service skill plus its certificates."""
    service = service_of(category_code)
    certificates = ITEM_REQUIRED.get(category_code, REQUIRED.get(service, frozenset()))
    return frozenset({service}) | certificates
