"""Sign-in throttling (等保 AUTH-4) that tells nobody which usernames exist and lets no outsider lock a worker
out. docs/settings.md and docs/security.md (AUTH-4) state the policy; web and API sign-in share it.

- Failures are counted per (username, source address), for unknown usernames exactly as for known ones.
  After LOGIN_MAX_FAILURES of them, that pair is refused for 1 minute, then 2, 4, 8 … minutes after each
  further failure, never more than LOGIN_LOCKOUT_MINUTES. A right password from another address is not
  held up: the account itself is never locked.
- Failures are also counted per address: LOGIN_ADDRESS_MAX_FAILURES of them within LOGIN_LOCKOUT_MINUTES,
  for any usernames, and that address is refused for any username until LOGIN_LOCKOUT_MINUTES have passed.
- A refusal is 429 `too_many_attempts` with the same Chinese message whatever the name; the password is not
  checked while refused.

Counts live in the cache (set CIVICGRID_REDIS_URL so that every worker process counts together), under a
keyed hash of the name and address; they are forgotten a day after a pair's first failure.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache

from civicgrid.core import clock, crypto, errors, ratelimit

PAIR_MEMORY = 24 * 3600  # seconds a pair's failures are remembered (from its first failure)


class TooManyAttempts(errors.DomainError):
    status = 429
    code = "too_many_attempts"
    message = "登录尝试次数过多,请稍后再试"


def _key(kind: str, *parts: str) -> str:
    return f"signin:{kind}:" + crypto.keyed_hash("\x00".join(parts).encode(), purpose="signin")


def delay_after(failures: int) -> timedelta:
    """How long a (username, address) pair is refused after its n-th failure in a row."""
    over = failures - settings.LOGIN_MAX_FAILURES
    if over < 0:
        return timedelta(0)
    cap = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    return min(timedelta(minutes=2 ** min(over, 20)), cap)


def check(username: str, address: str) -> None:
    """Raise TooManyAttempts while this pair, or this address, is refused."""
    now = clock.now().timestamp()
    until = max(cache.get(_key("pair-until", username, address), 0), cache.get(_key("addr-until", address), 0))
    if until > now:
        raise TooManyAttempts(details={"retry_after": int(until - now) + 1})


def failed(username: str, address: str) -> None:
    """Count a failed sign-in (an unknown name exactly as a wrong password) and start any refusal it earns."""
    now = clock.now().timestamp()
    window = settings.LOGIN_LOCKOUT_MINUTES * 60
    pair = ratelimit.increment(_key("pair", username, address), PAIR_MEMORY)
    delay = delay_after(pair).total_seconds()
    if delay:
        cache.set(_key("pair-until", username, address), now + delay, PAIR_MEMORY)
    if ratelimit.increment(_key("addr", address), window) >= settings.LOGIN_ADDRESS_MAX_FAILURES:
        cache.set(_key("addr-until", address), now + window, PAIR_MEMORY)


def succeeded(username: str, address: str) -> None:
    """A right password clears its pair's count (not the address's: one good account must not reset it)."""
    cache.delete_many([_key("pair", username, address), _key("pair-until", username, address)])
