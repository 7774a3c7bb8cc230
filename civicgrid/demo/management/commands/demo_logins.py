"""demo_logins: print the demo logins per role and the demo password when it is known."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from civicgrid.demo import logins, report


class Command(BaseCommand):
    help = "列出演示账号(每个角色一个,及各业务领域的经办账号)和演示密码。"

    def handle(self, *args, **options):
        self.stdout.write(report.logins_text(logins.known_password()))
