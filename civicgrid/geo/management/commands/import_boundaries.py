"""Import region boundaries from a GeoJSON FeatureCollection, all or nothing (format: docs/commands.md)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civicgrid.accounts.models import User
from civicgrid.core import context, errors
from civicgrid.geo import actions


def _actor(username: str | None) -> User:
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在或已停用")
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError("没有可用的超级用户,请用 --actor 指定有“维护区域网格与边界”权限的用户")
    return user


class Command(BaseCommand):
    help = "从 GeoJSON 导入区域边界:任一要素有误则不导入,并逐个列出错误(退出码 1)。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON FeatureCollection 文件(WGS84)")
        parser.add_argument("--actor", help="以该用户身份导入(需 geo.change_region);默认第一个超级用户")
        parser.add_argument("--no-create", action="store_true", help="只更新已有区域,文件中的新代码视为错误")

    def handle(self, *args, file: str, actor: str | None, no_create: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在:{file}")
        try:
            collection = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.stderr.write(f"-\t-\tmalformed_geojson\t文件不是有效的 JSON:{exc}")
            raise CommandError("边界导入失败:文件不是有效的 GeoJSON,未导入任何数据", returncode=1) from None
        user = _actor(actor)
        token = context.bind(context.RequestInfo(channel="command", request_id="import_boundaries"))
        try:
            result = actions.import_boundaries(actor=user, collection=collection, create_missing=not no_create)
        except errors.DomainError as exc:
            for entry in exc.details if isinstance(exc.details, list) else []:
                feature = "-" if entry["feature"] is None else f"要素#{entry['feature']}"
                self.stderr.write(f"{feature}\t{entry['code'] or '-'}\t{entry['error']}\t{entry['message']}")
            raise CommandError(f"{exc.message} ({exc.code})", returncode=1) from None
        finally:
            context.reset(token)
        self.stdout.write(
            f"已导入:新建 {len(result.created)} 个区域,更新 {len(result.updated)} 个;边界版本 {result.version}"
        )
