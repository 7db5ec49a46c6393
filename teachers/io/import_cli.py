"""``flask import schools|teachers|training FILE [--dry-run] [--update]``.

The command imports as an administrator of every county would (it runs on the server, by whoever
operates it; the audit row names the operating-system account, ``cli:<user>``). It prints the same
row-and-column messages as the browser's preview and exits with status 1 on any problem, writing
nothing; ``--dry-run`` stops after the preview; ``--update`` updates existing records by staff number
(teachers) or code (schools) and creates the others, printing per row what changes.
"""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask import Flask
from flask_babel import gettext as _

from teachers import clock
from teachers.errors import DomainError
from teachers.extensions import db
from teachers.io import imports
from teachers.models import Role, User


def operator() -> User:
    """A transient (never saved) administrator of all counties: the command's actor."""
    return User(id=None, username=f"cli:{getpass.getuser()}"[:64], role=Role.ADMIN, county_id=None, active=True)


def _kind(kind: str | None) -> str:
    wanted = (kind or "").strip().lower()
    if wanted not in imports.KINDS:
        raise click.ClickException(_("请指定导入内容：schools（学校）、teachers（教师）或 training（培训学时）。"))
    return wanted


def _echo_preview(result: imports.Preview) -> None:
    for issue in result.issues:
        click.echo(issue.text(), err=True)
    for change in result.updates:
        fields = "；".join(f"{k}：{old or '—'} → {new or '—'}" for k, (old, new) in change.fields.items())
        click.echo(_("第%(row)d行 %(key)s %(name)s 将更新：%(fields)s", row=change.row, key=change.key,
                     name=change.name, fields=fields))
    counts = result.counts()
    click.echo(_("共%(rows)d行：新增%(created)d，更新%(updated)d，无变化%(unchanged)d，问题%(problems)d处。", **counts))


def register(app: Flask) -> None:
    @app.cli.command("import")
    @click.argument("kind", required=False)
    @click.argument("path", required=False, type=click.Path(path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Check and show what would change; write nothing.")
    @click.option("--update", is_flag=True, help="Update existing records (by staff number or school code).")
    def import_command(kind: str | None, path: Path | None, dry_run: bool, update: bool) -> None:
        """Import schools or teachers from an .xlsx or .csv file (UTF-8, UTF-8 with BOM or GBK).

        KIND is schools, teachers or training (training records are create-only)."""
        kind = _kind(kind)
        if path is None:
            raise click.ClickException(_("请指定要导入的文件，例如 flask import teachers 教师名单.xlsx。"))
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise click.ClickException(_("无法读取文件“%(path)s”：%(reason)s", path=str(path),
                                         reason=exc.strerror or exc)) from None
        actor = operator()
        today = clock.today()
        result = imports.preview(actor, kind, data, path.name, update=update, today=today)
        _echo_preview(result)
        if not result.ok:
            db.session.rollback()
            raise click.ClickException(_("文件中有%(n)d处问题，未导入任何数据。", n=len(result.table.issues)))
        if dry_run:
            db.session.rollback()
            click.echo(_("试运行：未写入任何数据。"))
            return
        try:
            imports.apply(actor, kind, data, path.name, update=update, today=today)
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from None
        db.session.commit()
        click.echo(_("已导入：新增%(created)d，更新%(updated)d。", created=len(result.creates), updated=len(result.updates)))
