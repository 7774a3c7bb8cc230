"""Seed or refresh the working-day calendar (CalendarDay) from the chinesecalendar package.

Rows an administrator set on /audit/calendar/ are kept. Years the package does not know are reported
and skipped (exit status 1 when none of the requested years is known)."""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError

from civicgrid.core.calendars import known_years, seed_calendar

_RANGE = re.compile(r"^(\d{4})(?:-(\d{4}))?$")


def parse_years(values: list[str]) -> list[int]:
    """["2024", "2026"] -> [2024, 2026]; ["2024-2027"] -> [2024, 2025, 2026, 2027]."""
    years: set[int] = set()
    for value in values:
        match = _RANGE.match(value.strip())
        if not match:
            raise CommandError(f"bad year {value!r}: use YYYY or YYYY-YYYY")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if last < first:
            raise CommandError(f"bad year range {value!r}: the end comes before the start")
        years.update(range(first, last + 1))
    return sorted(years)


class Command(BaseCommand):
    help = "Seed the working-day calendar from the chinesecalendar package (admin edits are kept)."

    def add_arguments(self, parser):
        parser.add_argument("--years", nargs="+", metavar="YEAR",
                            help="years (YYYY) or ranges (YYYY-YYYY); default: every year the package knows")

    def handle(self, *args, **options):
        known = known_years()
        years = parse_years(options["years"]) if options["years"] else known
        unknown = [y for y in years if y not in known]
        for year in unknown:
            self.stderr.write(f"{year}: 日历包 chinesecalendar 没有该年的节假日安排,已跳过 "
                              f"(package knows {known[0]}–{known[-1]})")
        wanted = [y for y in years if y in known]
        if not wanted:
            raise CommandError("none of the requested years is known to the chinesecalendar package", returncode=1)
        created, updated = seed_calendar(wanted)
        self.stdout.write(f"years: {' '.join(map(str, wanted))}")
        self.stdout.write(self.style.SUCCESS(f"created: {created}, updated: {updated}"))
