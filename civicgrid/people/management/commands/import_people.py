"""Import households and residents from an .xlsx file (format: docs/people.md), all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civicgrid.core import context, errors
from civicgrid.people.excel import import_people_xlsx
from civicgrid.people.management.commands._actor import actor_named


class Command(BaseCommand):
    help = "从 Excel 导入户和居民:任一行有误则不导入,并逐行列出错误(退出码 1)。"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 文件路径")
        parser.add_argument("--actor", required=True, help="以该用户身份导入(按其权限与管辖范围校验)")
        parser.add_argument("--dry-run", action="store_true", help="只校验,不写入")

    def handle(self, *args, file: str, actor: str, dry_run: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在:{file}")
        user = actor_named(actor)
        token = context.bind(context.RequestInfo(channel="command", request_id="import_people"))
        try:
            with path.open("rb") as handle:
                result = import_people_xlsx(actor=user, file=handle, dry_run=dry_run)
        except errors.DomainError as exc:
            for entry in exc.details if isinstance(exc.details, list) else []:
                self.stderr.write(f"第{entry['row']}行\t{entry['column']}\t{entry['code']}\t{entry['message']}")
            raise CommandError(f"{exc.message} ({exc.code})", returncode=1) from None
        finally:
            context.reset(token)
        verb = "校验通过(未写入)" if result.dry_run else "已导入"
        self.stdout.write(
            f"{verb}:{result.rows} 行,新建户 {result.households_created},居民 {result.residents_created},"
            f"标签 {result.tags_assigned}"
        )
