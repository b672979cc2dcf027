"""A turn's own statements, compiled once and run on the driver's cursor.

SQLAlchemy Core runs a statement through an execution context, parameter
processing and a result object: measured on SQLite, 40 of the 45 us the
conversation's SELECT took, and about as much again for the turn's INSERTs, on
every message. The few statements every turn runs are compiled here once per
dialect and executed on the DBAPI connection of the SQLAlchemy connection (and
so inside its transaction); parameters and rows go through the same type
processors SQLAlchemy would apply (JSON, timestamps, booleans), and driver
errors come out as SQLAlchemy's own exceptions, so callers handle them as
before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any] | None
_REQUIRED = object()


class Prepared:
    """One Core statement for one dialect: its SQL and its value converters."""

    def __init__(
        self,
        statement: Executable,
        dialect: Dialect,
        *,
        keys: Sequence[str] | None = None,
    ) -> None:
        """`keys`: for an INSERT or UPDATE, the columns every call gives values for."""
        compiled = statement.compile(dialect=dialect, column_keys=keys)
        if not isinstance(compiled, SQLCompiler):
            raise TypeError("only SQL statements can be prepared")
        if compiled.insert_prefetch or compiled.update_prefetch:
            # A column default computed in Python would be skipped here.
            raise ValueError("give every column with a Python-side default a value")
        self._dialect = dialect
        self.sql = compiled.string
        self._positional = bool(compiled.positional)
        names = (
            list(compiled.positiontup or ())
            if compiled.positional
            else list(compiled.bind_names.values())
        )
        # (bind name, caller's key, default when the caller gives none, converter)
        self._binds: list[tuple[str, str, Any, Processor]] = []
        for name in dict.fromkeys(names):
            bind = compiled.binds[name]
            default = _REQUIRED if bind.required else bind.effective_value
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            self._binds.append((name, bind.key, default, process))
        self._order = names
        self.columns = [c.key for c in getattr(statement, "exported_columns", ())]
        self._results: list[Processor] = [
            c.type.dialect_impl(dialect).result_processor(dialect, None)
            for c in getattr(statement, "exported_columns", ())
        ]

    def _parameters(self, values: Mapping[str, Any]) -> Any:
        converted = {}
        for name, key, default, process in self._binds:
            value = values.get(key, default)
            if value is _REQUIRED:
                raise KeyError(f"no value for {key!r}")
            converted[name] = value if process is None else process(value)
        if self._positional:
            return tuple(converted[name] for name in self._order)
        return converted

    def _run(self, conn: Connection, batch: Sequence[Mapping[str, Any]]) -> Any:
        driver = conn.connection.dbapi_connection
        if driver is None:
            raise RuntimeError("the connection is closed")
        cursor = driver.cursor()
        parameters = [self._parameters(values) for values in batch]
        try:
            if len(parameters) == 1:
                cursor.execute(self.sql, parameters[0])
            else:
                cursor.executemany(self.sql, parameters)
        except self._dialect.loaded_dbapi.Error as e:
            cursor.close()
            raise DBAPIError.instance(
                self.sql,
                None,
                e,
                self._dialect.loaded_dbapi.Error,
                hide_parameters=True,
                dialect=self._dialect,
            ) from e
        return cursor

    def rows(
        self, conn: Connection, values: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        """Run a SELECT (or a statement with RETURNING): its rows, converted."""
        cursor = self._run(conn, [values])
        try:
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        results = self._results
        return [
            tuple(
                value if process is None else process(value)
                for value, process in zip(row, results, strict=True)
            )
            for row in fetched
        ]

    def execute(self, conn: Connection, values: Mapping[str, Any]) -> int:
        """Run an INSERT, UPDATE or DELETE; the number of rows it changed."""
        cursor = self._run(conn, [values])
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def execute_many(
        self, conn: Connection, batch: Sequence[Mapping[str, Any]]
    ) -> None:
        """Run an INSERT once per set of values."""
        if batch:
            self._run(conn, batch).close()
