"""Eligibility pre-check (梯度培育): rule sets as data (spec), the fact vocabulary (facts), the pure
engine (engine) and the shipped rule sets (rulesets/*.json). No Django: docs/enterprises/precheck.md."""
