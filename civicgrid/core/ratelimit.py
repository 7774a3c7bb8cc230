"""Per-user budgets for sensitive reads (e.g. exact look-up by ID number or phone), counted in Django's
cache: a fixed window per user and budget, so a burst of guesses is refused whatever it guesses. With
Redis (CIVICGRID_REDIS_URL) every worker counts together; the per-process memory cache counts per process.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from civicgrid.core import audit, clock, errors


def increment(key: str, timeout: int, by: int = 1) -> int:
    """Add `by` to the counter at `key` (one atomic increment, so concurrent requests cannot both take the
    last use), starting it with a life of `timeout` seconds; returns the new count."""
    if cache.add(key, by, timeout=timeout):
        return by
    try:
        return cache.incr(key, by)
    except ValueError:  # expired between add and incr
        cache.set(key, by, timeout=timeout)
        return by


@dataclass(frozen=True)
class Budget:
    name: str  # cache key part, e.g. "lookup"
    limit: int  # uses allowed per window
    window_seconds: int
    code: str  # the error code of a refusal, e.g. "lookup_rate_limited"
    message: str

    def _key(self, user) -> str:
        window = int(clock.now().timestamp()) // self.window_seconds
        return f"ratelimit:{self.name}:{user.pk}:{window}"

    def used(self, user) -> int:
        return cache.get(self._key(user), 0)

    def check(self, user) -> None:
        """RateLimited when `user` has used up this window's budget (nothing is counted)."""
        if self.used(user) >= self.limit:
            self.refuse()

    def count(self, user, uses: int = 1) -> int:
        """Count `uses`; returns the uses in this window so far."""
        return increment(self._key(user), self.window_seconds, uses)

    def spend(self, user) -> None:
        """Count one use; RateLimited once the window's budget is used up (the caller then does nothing)."""
        if self.count(user) > self.limit:
            self.refuse()

    def refuse(self):
        raise errors.RateLimited(self.message, code=self.code,
                                 details={"limit": self.limit, "window_seconds": self.window_seconds})


def lookups() -> Budget:
    """Each user's hourly budget of exact look-ups by ID number or phone (CIVICGRID_LOOKUP_MAX_PER_HOUR),
    which an answer "this ID number is already registered" spends too."""
    return Budget(name="lookup", limit=settings.LOOKUP_MAX_PER_HOUR, window_seconds=3600,
                  code="lookup_rate_limited", message="按身份证号或电话查找过于频繁,请稍后再试")


def conflict_is_lookup(actor, *, action: str, object_type: str, code: str, write):
    """Run `write` (a create or update that takes a complete ID number) for `actor`. Its Conflict `code` says
    the number is already registered — a confirmed guess —, so it answers as before but spends the actor's
    look-up budget and writes a `denied` audit row (after the write rolled back); with the budget used up
    the write is refused (429) before it is tried, right guess or wrong."""
    budget = lookups()
    budget.check(actor)
    try:
        return write()
    except errors.Conflict as exc:
        if exc.code == code:
            audit.record(actor=actor, action=action, object_type=object_type, fields=["id_number"],
                         result="denied", reason=code)
            budget.count(actor)  # the next attempt is refused; this answer stays a 409
        raise


def registered_numbers_told(actor, *, count: int, action: str, object_type: str) -> None:
    """An answer about to tell `actor` that `count` of the ID numbers they sent are already registered (an
    import's row report) is `count` look-ups: it is audit-logged and spends as much of the budget, and when
    that passes the budget the answer is refused instead (429). Call `lookups().check(actor)` before looking:
    once the budget is used up, every such request is refused, whatever it holds."""
    audit.record(actor=actor, action=action, object_type=object_type, fields=["id_number"], result="denied",
                 reason="id_number_exists", details={"numbers": count})
    budget = lookups()
    if budget.count(actor, count) > budget.limit:
        budget.refuse()
