"""``flask export teachers|schools|training|national -o FILE [--county NAME] [--format xlsx|csv]``.

The command reads as an administrator would (every county, or the one named by ``--county``) and
sees personal data in full: it runs on the server, by whoever operates it. The audit row names the
operating-system account (``cli:<user>``). Bad arguments (a missing or unknown kind, no ``-o``, an
unknown county, a format that is not ``xlsx``/``csv``, a path that cannot be written) end with a
Chinese message and exit status 1, before anything is written. The kind and ``-o`` are checked here,
not by click, so that those messages are Chinese too.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import click
from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import select

from teachers import clock
from teachers.extensions import db
from teachers.io import exports, writer
from teachers.models import County, Role, User

KINDS = ("teachers", "schools", "training", "national")


def reader(county: County | None) -> User:
    """A transient (never saved) administrator account, of one county or of all: the command's viewer."""
    return User(id=None, username="cli", role=Role.ADMIN, county_id=county.id if county else None, active=True)


def _county(name: str | None) -> County | None:
    if name is None:
        return None
    county = db.session.scalar(select(County).where(County.name == name.strip()))
    if county is None:
        known = "、".join(db.session.scalars(select(County.name).order_by(County.name))) or _("（无）")
        raise click.ClickException(_("找不到县（市、区）“%(name)s”。已有：%(known)s", name=name, known=known))
    return county


def _kind(kind: str | None) -> str:
    """The export kind, checked here (not by ``click.Choice``) so that a wrong one is answered in Chinese."""
    wanted = (kind or "").strip().lower()
    if wanted not in KINDS:
        choices = _("teachers（教师名单）、schools（学校名单）、training（培训学时完成情况）或 national（全国教师管理信息系统格式）")
        if not kind:
            raise click.ClickException(_("请指定导出内容：%(choices)s。", choices=choices))
        raise click.ClickException(_("导出内容“%(kind)s”无效：请写 %(choices)s。", kind=kind, choices=choices))
    return wanted


def _format(fmt: str | None, path: Path) -> str:
    chosen = (fmt or path.suffix.lstrip(".") or "xlsx").lower()
    if chosen not in writer.FORMATS:
        raise click.ClickException(_("不支持的格式“%(fmt)s”：请用 xlsx 或 csv。", fmt=chosen))
    return chosen


def _check_writable(path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK) or (
            path.exists() and not os.access(path, os.W_OK)):
        raise click.ClickException(_("无法写入文件“%(path)s”：请检查目录是否存在、是否有写权限。", path=str(path)))


def build(kind: str, viewer: User) -> exports.Export:
    today = clock.today()
    if kind == "teachers":
        return exports.teachers(viewer, today=today)
    if kind == "national":
        return exports.national_layout(viewer, today=today)
    if kind == "schools":
        return exports.schools(viewer)
    return exports.training(viewer, today)


def register(app: Flask) -> None:
    @app.cli.command("export")
    @click.argument("kind", required=False)
    @click.option("-o", "--output", "output", default=None, type=click.Path(path_type=Path),
                  help="The file to write (.xlsx or .csv).")
    @click.option("--county", default=None, help="Only this county (its name), e.g. 临江市.")
    @click.option("--format", "fmt", default=None, help="xlsx or csv (default: from the file name, else xlsx).")
    def export_command(kind: str | None, output: Path | None, county: str | None, fmt: str | None) -> None:
        """Export teachers, schools, training compliance or the national layout to an Excel or CSV file.

        KIND is one of teachers, schools, training, national."""
        kind = _kind(kind)
        if output is None:
            raise click.ClickException(_("请用 -o 文件名 指定要写入的文件，例如 -o 教师名单.xlsx。"))
        chosen = _format(fmt, output)
        _check_writable(output)
        found = _county(county)
        export = build(kind, reader(found))
        partial = output.with_name(output.name + ".part")
        try:
            with open(partial, "wb") as handle:
                writer.write(export.sheet, chosen, handle)
            partial.replace(output)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            db.session.rollback()
            raise click.ClickException(_("无法写入文件“%(path)s”：%(reason)s", path=str(output),
                                         reason=exc.strerror or exc)) from None
        if found is not None:
            export.filters["county"] = found.name
        exports.record(None, export, chosen, actor_username=f"cli:{getpass.getuser()}"[:64])
        db.session.commit()
        click.echo(_("已导出 %(n)d 行到 %(path)s", n=export.sheet.written, path=str(output)))
