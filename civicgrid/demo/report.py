"""Console output of the demo commands: the table of demo logins per role."""

from __future__ import annotations

import unicodedata

from civicgrid.demo import logins


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(row):
        return "  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(tuple("-" * w for w in widths)), *map(line, rows)])


def logins_text(password: str | None) -> str:
    rows = logins.login_rows()
    if not rows:
        return "没有演示账号:请先运行 build_demo。"
    text = "演示账号(每个角色一个;其后是各业务领域的经办账号):\n" + table(rows, ("用户名", "姓名", "角色", "范围"))
    if password:
        text += f"\n\n演示密码:{password}"
    else:
        text += "\n\n演示密码:构建时已打印(未设置 CIVICGRID_DEMO_PASSWORD,且未找到 var/demo_password)"
    return text
