"""The one notification service: every workflow calls ``notify`` and ``close_todos``.

Each blueprint registers how its kinds read (``register_kind``): ``text(params) -> str`` is called
at display time, under the reader's locale, so nothing worded is stored and a notice follows the
reader's language. ``url(notification) -> str | None`` says where the notice leads.

Services here flush, never commit. Reading functions take the acting user and only ever return
that user's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from teachers.errors import NotFound
from teachers.extensions import db
from teachers.models import Notification, User
from teachers.models._types import utcnow


@dataclass(frozen=True)
class Kind:
    text: Callable[[dict[str, Any]], str]
    url: Callable[[Notification], str | None]


_KINDS: dict[str, Kind] = {}


def register_kind(kind: str, *, text: Callable[[dict[str, Any]], str],
                  url: Callable[[Notification], str | None]) -> None:
    """Declare how notifications of ``kind`` read (``text(params)``, called at display time with
    gettext active) and where they lead (``url(notification)``). Registering a kind again replaces
    it (blueprints register at import time; tests may re-import)."""
    _KINDS[kind] = Kind(text=text, url=url)


def registered_kinds() -> set[str]:
    """The kinds registered so far."""
    return set(_KINDS)


def _user_ids(users: Iterable[User | int] | User | int | None) -> list[int]:
    if users is None:
        return []
    if isinstance(users, (User, int)):
        users = [users]
    ids: list[int] = []
    for u in users:
        uid = u if isinstance(u, int) else u.id
        if uid is not None and uid not in ids:
            ids.append(uid)
    return ids


def notify(users: Iterable[User | int] | User | int, kind: str, *, object_type: str, object_id: int,
           params: dict[str, Any] | None = None, todo: bool = False) -> list[Notification]:
    """Add one notification of ``kind`` about (``object_type``, ``object_id``) for each of ``users``
    (User objects or ids; duplicates and None are dropped) and flush. ``params`` are plain JSON values
    the kind's ``text`` reads. ``todo=True`` makes it a to-do, open until ``close_todos`` closes it.
    An unregistered kind is refused (ValueError), so a typo cannot store notices nobody can read."""
    if kind not in _KINDS:
        raise ValueError(f"notification kind {kind!r} is not registered")
    rows = [Notification(user_id=uid, kind=kind, object_type=object_type, object_id=int(object_id),
                         params=dict(params or {}), todo=bool(todo)) for uid in _user_ids(users)]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def close_todos(kind: str, *, object_type: str, object_id: int,
                users: Iterable[User | int] | User | int | None = None) -> int:
    """Mark the open to-dos of ``kind`` about (``object_type``, ``object_id``) done — for ``users``
    only when given, else for everybody — and return how many were closed. Closing twice closes
    nothing the second time. Flushes."""
    stmt = (update(Notification)
            .where(Notification.kind == kind, Notification.object_type == object_type,
                   Notification.object_id == int(object_id), Notification.todo.is_(True),
                   Notification.done_at.is_(None))
            .values(done_at=utcnow())
            .execution_options(synchronize_session="fetch"))
    ids = _user_ids(users)
    if users is not None:
        if not ids:
            return 0
        stmt = stmt.where(Notification.user_id.in_(ids))
    result = db.session.execute(stmt)
    db.session.flush()
    return result.rowcount or 0


def open_todo_users(kind: str, *, object_type: str, object_id: int) -> set[int]:
    """The ids of the users who still have an open to-do of ``kind`` about (``object_type``,
    ``object_id``): a workflow that may be reminded twice opens a to-do only for those without one."""
    return set(db.session.scalars(
        select(Notification.user_id).where(Notification.kind == kind, Notification.object_type == object_type,
                                           Notification.object_id == int(object_id), Notification.todo.is_(True),
                                           Notification.done_at.is_(None))))


@dataclass(frozen=True)
class InboxPage:
    """One page of a user's inbox, newest first."""

    items: list[Notification]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def inbox(user: User, *, page: int = 1, per_page: int = 20, todo_only: bool = False) -> InboxPage:
    """The user's notifications, newest first (open to-dos first when ``todo_only``: only open
    to-dos). ``page`` is clamped to at least 1; ``per_page`` to 1..100."""
    page = max(1, int(page))
    per_page = min(100, max(1, int(per_page)))
    where = [Notification.user_id == user.id]
    if todo_only:
        where += [Notification.todo.is_(True), Notification.done_at.is_(None)]
    total = db.session.scalar(select(func.count()).select_from(Notification).where(*where)) or 0
    items = db.session.scalars(
        select(Notification).where(*where).order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return InboxPage(items=list(items), page=page, per_page=per_page, total=total)


def open_todo_count(user: User) -> int:
    """How many open to-dos wait for ``user`` (the count in the top bar)."""
    return db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, Notification.todo.is_(True), Notification.done_at.is_(None))
    ) or 0


def unread_count(user: User) -> int:
    """How many of ``user``'s notifications are unread."""
    return db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of ``user``'s own notifications read (idempotent). Another user's, or a missing one,
    raises NotFound (the view answers 404). Reading does not close a to-do. Flushes."""
    row = db.session.get(Notification, int(notification_id))
    if row is None or row.user_id != user.id:
        raise NotFound(_("没有这条通知。"))
    if row.read_at is None:
        row.read_at = utcnow()
        db.session.flush()
    return row


def mark_all_read(user: User) -> int:
    """Mark every unread notification of ``user`` read; returns how many. Flushes."""
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    return result.rowcount or 0


def render(notification: Notification) -> tuple[str, str | None]:
    """(text, url) of a notification in the current locale. A kind no longer registered reads as a
    generic notice with no link rather than failing the page."""
    kind = _KINDS.get(notification.kind)
    if kind is None:
        return _("一条通知（%(kind)s）", kind=notification.kind), None
    return kind.text(dict(notification.params or {})), kind.url(notification)
