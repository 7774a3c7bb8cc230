"""Export households and residents to .xlsx in the import format (masked unless the actor may unmask)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civicgrid.core import context, errors
from civicgrid.people.excel import export_people_xlsx
from civicgrid.people.management.commands._actor import actor_named


class Command(BaseCommand):
    help = "导出户和居民到 Excel(与导入格式相同);无查看完整信息权限时身份证号和电话脱敏。"

    def add_arguments(self, parser):
        parser.add_argument("--actor", required=True, help="以该用户身份导出(按其权限与管辖范围)")
        parser.add_argument("--region", default="", help="只导出该区域编码(前缀)下的居民")
        parser.add_argument("-o", "--output", required=True, help="输出 .xlsx 文件路径")

    def handle(self, *args, actor: str, region: str, output: str, **options):
        user = actor_named(actor)
        token = context.bind(context.RequestInfo(channel="command", request_id="export_people"))
        try:
            content = export_people_xlsx(actor=user, region=region or None)
        except errors.DomainError as exc:
            raise CommandError(f"{exc.message} ({exc.code})", returncode=1) from None
        finally:
            context.reset(token)
        Path(output).write_bytes(content)
        self.stdout.write(f"已导出到 {output}")
