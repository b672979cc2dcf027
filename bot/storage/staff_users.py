"""Staff accounts: names and argon2 password hashes, never a password in clear."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.errors import StorageError
from bot.storage import schema
from bot.storage.store import Store

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024


class StaffUserError(ValueError):
    """A staff account cannot be created or changed as asked."""


@dataclass(frozen=True)
class StaffUser:
    """A staff member who may sign in."""

    id: int
    username: str
    created_at: datetime
    password_changed_at: datetime


def check_username(username: str) -> str:
    """The name as stored; StaffUserError if it is not a plain account name."""
    if not USERNAME.fullmatch(username):
        raise StaffUserError(
            "a user name is 1-64 letters, digits, dots, dashes, underscores or @,"
            " starting with a letter or digit"
        )
    return username


def check_password(password: str) -> str:
    """The password; StaffUserError if it is too short or too long."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise StaffUserError(
            f"a password must be at least {MIN_PASSWORD_CHARS} characters"
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise StaffUserError(f"a password is at most {MAX_PASSWORD_CHARS} characters")
    return password


class StaffUsers:
    """Create, list, remove and check staff accounts."""

    def __init__(self, store: Store, *, hasher: PasswordHasher | None = None) -> None:
        self._store = store
        self._hasher = hasher or PasswordHasher()
        # Checked against when the name is unknown, so that a wrong name costs
        # as long as a wrong password and the timing tells nothing.
        self._decoy = self._hasher.hash("not a password of anyone's")

    def create(self, username: str, password: str) -> StaffUser:
        """Add an account; StaffUserError if the name is taken or invalid."""
        name = check_username(username)
        digest = self._hasher.hash(check_password(password))
        now = datetime.now(UTC)
        table = schema.staff_users
        try:
            with self._store.transaction("create the staff user", write=True) as c:
                result = c.execute(
                    table.insert().values(
                        username=name,
                        password_hash=digest,
                        created_at=now,
                        password_changed_at=now,
                    )
                )
        except StorageError as e:
            if isinstance(e.__cause__, IntegrityError):
                raise StaffUserError(f"a user named {name!r} already exists") from e
            raise
        return StaffUser(result.inserted_primary_key[0], name, now, now)

    def list(self) -> list[StaffUser]:
        """Every account, by name."""
        table = schema.staff_users
        query = select(
            table.c.id,
            table.c.username,
            table.c.created_at,
            table.c.password_changed_at,
        ).order_by(table.c.username)
        with self._store.transaction("list staff users") as conn:
            return [StaffUser(**row._mapping) for row in conn.execute(query)]

    def remove(self, username: str) -> None:
        """Delete an account; StaffUserError if there is none of that name."""
        table = schema.staff_users
        with self._store.transaction("remove the staff user", write=True) as conn:
            result = conn.execute(delete(table).where(table.c.username == username))
        if result.rowcount == 0:
            raise StaffUserError(f"no user named {username!r}")

    def set_password(self, username: str, password: str) -> None:
        """Replace an account's password; StaffUserError if there is no such user."""
        digest = self._hasher.hash(check_password(password))
        table = schema.staff_users
        with self._store.transaction("set the password", write=True) as conn:
            result = conn.execute(
                table.update()
                .where(table.c.username == username)
                .values(password_hash=digest, password_changed_at=datetime.now(UTC))
            )
        if result.rowcount == 0:
            raise StaffUserError(f"no user named {username!r}")

    def authenticate(self, username: str, password: str) -> StaffUser | None:
        """The account if the password is right, else None (whichever was wrong)."""
        table = schema.staff_users
        with self._store.transaction("check the sign-in") as conn:
            row = conn.execute(
                select(table).where(table.c.username == username)
            ).one_or_none()
        digest = row.password_hash if row is not None else self._decoy
        try:
            self._hasher.verify(digest, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        return StaffUser(row.id, row.username, row.created_at, row.password_changed_at)

    def find(self, user_id: int) -> StaffUser | None:
        """The account with this id, or None if it was removed."""
        table = schema.staff_users
        query = select(
            table.c.id,
            table.c.username,
            table.c.created_at,
            table.c.password_changed_at,
        ).where(table.c.id == user_id)
        with self._store.transaction("read the staff user") as conn:
            row = conn.execute(query).one_or_none()
        return None if row is None else StaffUser(**row._mapping)
