"""The rule sets shipped with the code (rulesets/*.json), one file per tier. Pure; the Django layer
publishes them as the first versions (actions.precheck.seed_rulesets)."""

from __future__ import annotations

import json
from pathlib import Path

from civicgrid.enterprises.precheck.spec import RuleSet, parse_ruleset

DIRECTORY = Path(__file__).resolve().parent / "rulesets"
#: display order: the ladder 科技型中小 -> 高企, 专精特新 -> 小巨人
ORDER = ("tech_sme", "high_tech_enterprise", "specialised_sme", "little_giant")


def data() -> dict[str, dict]:
    """tier -> the rule set's data, in `ORDER` (then any other file by name)."""
    found = {}
    for path in sorted(DIRECTORY.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        found[raw["tier"]] = raw
    return {tier: found[tier] for tier in sorted(found, key=lambda t: (ORDER.index(t) if t in ORDER else 99, t))}


def rulesets() -> dict[str, RuleSet]:
    return {tier: parse_ruleset(raw) for tier, raw in data().items()}
