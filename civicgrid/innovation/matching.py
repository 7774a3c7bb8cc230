"""Suggesting platforms and research teams for a technical need: explainable scores, in the style of the
volunteer matching (civicgrid.volunteers.matching). Pure: no Django; the Django layer builds the frozen
dataclasses below from its models (queries.suggestions).

Hard filters (`excluded` returns the codes a candidate fails; empty = it is ranked):

* ``inactive``: the platform or team is not active;
* ``no_common_field``: none of its fields is among the need's fields;
* ``other_enterprise``: an in-house platform (an enterprise technology centre or postdoctoral station,
  ``owner`` set) of an enterprise other than the one with the need.

Score (the weights are the module constants ``W_*``; each part is shown as it is)::

    score = W_COVERAGE * coverage   # share of the need's fields the candidate works in
          + W_FOCUS    * focus      # share of the candidate's fields that the need asks for
          + W_RECORD   * record     # min(finished work in the need's fields / RECORD_FULL, 1)
          + W_LEVEL    * level      # national 1, provincial 2/3, city 1/3, zone 0
          - W_LOAD     * min(active work / LOAD_FULL, 1)

``focus`` plays the part of the volunteer matching's ``skill_fit``: a specialist ranks above a generalist
with the same coverage. ``record`` counts challenges the candidate finished and, for platforms, completed
产学研 agreements, in the need's fields. ``active work`` is selected-but-unfinished challenges (and active
agreements). A team's level is its platform's (0 without one). The score lies in [-W_LOAD, 1].
Ranking: score descending, then id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["LEVELS", "LOAD_FULL", "RECORD_FULL", "W_COVERAGE", "W_FOCUS", "W_LEVEL", "W_LOAD", "W_RECORD",
           "Candidate", "Need", "Suggestion", "excluded", "parts", "rank"]

W_COVERAGE = 0.45
W_FOCUS = 0.20
W_RECORD = 0.20
W_LEVEL = 0.15
W_LOAD = 0.10
RECORD_FULL = 3  # finished pieces of work in the need's fields at which the record term is full
LOAD_FULL = 3  # active pieces of work at which the load penalty is full
LEVELS = {"national": 1.0, "provincial": 2 / 3, "city": 1 / 3, "zone": 0.0, "": 0.0}


@dataclass(frozen=True)
class Need:
    id: int | str
    fields: frozenset[str]
    owner: int | None = None  # the enterprise with the need


@dataclass(frozen=True)
class Candidate:
    id: int | str
    fields: frozenset[str]
    level: str = ""
    finished_in: dict[str, int] | None = None  # field -> finished pieces of work in that field
    active: int = 0
    is_active: bool = True
    owner: int | None = None  # the host enterprise of an in-house platform


@dataclass(frozen=True)
class Suggestion:
    id: int | str
    score: float
    parts: dict[str, float]  # weighted terms: coverage, focus, record, level, load (<= 0)
    common: tuple[str, ...]  # the need's fields the candidate works in, sorted


def excluded(need: Need, candidate: Candidate) -> list[str]:
    codes = []
    if not candidate.is_active:
        codes.append("inactive")
    if not need.fields & candidate.fields:
        codes.append("no_common_field")
    if candidate.owner is not None and candidate.owner != need.owner:
        codes.append("other_enterprise")
    return codes


def parts(need: Need, candidate: Candidate) -> dict[str, float]:
    common = need.fields & candidate.fields
    coverage = len(common) / len(need.fields) if need.fields else 0.0
    focus = len(common) / len(candidate.fields) if candidate.fields else 0.0
    finished = sum((candidate.finished_in or {}).get(f, 0) for f in common)
    return {
        "coverage": W_COVERAGE * coverage,
        "focus": W_FOCUS * focus,
        "record": W_RECORD * min(finished / RECORD_FULL, 1.0),
        "level": W_LEVEL * LEVELS.get(candidate.level, 0.0),
        "load": -W_LOAD * min(max(candidate.active, 0) / LOAD_FULL, 1.0),
    }


def _total(values: dict[str, float]) -> float:
    return values["coverage"] + values["focus"] + values["record"] + values["level"] + values["load"]


def rank(need: Need, candidates: Sequence[Candidate], limit: int = 10) -> tuple[list[Suggestion], dict]:
    """The `limit` best candidates that pass the hard filters (score descending, then id), and the
    excluded ones' codes by id."""
    ranked, out = [], {}
    for candidate in candidates:
        codes = excluded(need, candidate)
        if codes:
            out[candidate.id] = codes
            continue
        values = parts(need, candidate)
        ranked.append(Suggestion(candidate.id, round(_total(values), 6), {k: round(v, 6) for k, v in values.items()},
                                 tuple(sorted(need.fields & candidate.fields))))
    ranked.sort(key=lambda s: (-s.score, s.id))
    return ranked[:limit], out
