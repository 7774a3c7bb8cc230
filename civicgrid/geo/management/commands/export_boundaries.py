"""Export region boundaries as a GeoJSON FeatureCollection that import_boundaries reads back."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civicgrid.core import errors
from civicgrid.geo import queries


class Command(BaseCommand):
    help = "把区域边界导出为 GeoJSON FeatureCollection(可再用 import_boundaries 导入)。"

    def add_arguments(self, parser):
        parser.add_argument("--level", help="层级:district/street/community/grid/micro_grid(默认 grid)")
        parser.add_argument("--parent", help="只导出该区域之下的区域(区划代码)")
        parser.add_argument("-o", "--output", help="写入该文件,默认标准输出")

    def handle(self, *args, level: str | None, parent: str | None, output: str | None, **options):
        try:
            collection = queries.all_boundaries_feature_collection(level=level, parent=parent)
        except errors.DomainError as exc:
            raise CommandError(f"{exc.message} ({exc.code})", returncode=2) from None
        text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"已导出 {len(collection['features'])} 个区域到 {output}")
        else:
            self.stdout.write(text)
