"""Every write about the zone and its enterprises. Each function checks permission with `require()`
(NotFound outside the actor's reach, Forbidden for a reader such as the leader) before its transaction,
writes its audit record inside it, and takes an idempotency key where a phone or a client may retry a
create; a denied or invalid call changes nothing."""

from civicgrid.enterprises.actions.precheck import (
    facts_for,
    publish_ruleset,
    run_precheck,
    run_precheck_for_zone,
    seed_rulesets,
)
from civicgrid.enterprises.actions.qualifications import (
    PatentInput,
    QualificationInput,
    add_qualification_kind,
    record_patent,
    record_qualification,
    send_expiry_reminders,
    set_patent_status,
    set_qualification_status,
)
from civicgrid.enterprises.actions.registry import (
    EnterpriseInput,
    add_contact,
    register_enterprise,
    remove_contact,
    report_metrics,
    set_credit_flags,
    update_enterprise,
)
from civicgrid.enterprises.actions.zone import (
    ApprovalInput,
    create_park,
    create_zone,
    save_approval_item,
    set_city_reference,
    set_zone_area,
    set_zone_departments,
)

__all__ = [
    "ApprovalInput", "EnterpriseInput", "PatentInput", "QualificationInput", "add_contact", "add_qualification_kind",
    "create_park", "create_zone", "facts_for", "publish_ruleset", "record_patent", "record_qualification",
    "register_enterprise", "remove_contact", "report_metrics", "run_precheck", "run_precheck_for_zone",
    "save_approval_item", "seed_rulesets", "send_expiry_reminders", "set_city_reference", "set_credit_flags",
    "set_patent_status", "set_qualification_status", "set_zone_area", "set_zone_departments", "update_enterprise",
]
