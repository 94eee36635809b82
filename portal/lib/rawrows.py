"""Model instances from a hand-written SELECT, for the few reads too hot for the ORM.

Building and compiling a queryset costs about a millisecond of Python on every request (more
than the database takes to answer a lookup by primary key). A hot read can instead write its
SQL once and still get real model instances back: ``ModelColumns`` lists a model's columns
under a table alias for the SELECT, and turns their values back into an instance with the
same conversions the ORM applies (the backend's, and each field's ``from_db_value``: sealed
fields are opened, JSON parsed, SQLite's text dates and UUIDs typed).
"""

from collections.abc import Callable, Sequence

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

Converter = Callable[[object, object, BaseDatabaseWrapper], object]


class ModelColumns:
    """The concrete columns of ``model`` as ``alias.column`` for a SELECT list."""

    def __init__(self, model: type[models.Model], alias: str) -> None:
        self.model = model
        self.alias = alias
        self.fields = tuple(model._meta.concrete_fields)
        self._attnames = [field.attname for field in self.fields]
        self._converters: dict[str, list[list[tuple[Converter, object]]]] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def select_sql(self, connection: BaseDatabaseWrapper) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    def instance(self, values: Sequence, connection: BaseDatabaseWrapper) -> models.Model:
        """The instance these values (in ``fields`` order) are a row of, as the ORM makes it."""
        converted = []
        for value, converters in zip(values, self._converters_for(connection), strict=True):
            for convert, expression in converters:
                value = convert(value, expression, connection)
            converted.append(value)
        return self.model.from_db(connection.alias, self._attnames, converted)

    def _converters_for(self, connection: BaseDatabaseWrapper) -> list:
        # Worked out once per backend, as the ORM's compiler does for each query.
        if connection.vendor not in self._converters:
            per_field = []
            for field in self.fields:
                column = field.get_col(self.alias)
                converters = connection.ops.get_db_converters(column)
                converters += column.get_db_converters(connection)
                per_field.append([(convert, column) for convert in converters])
            self._converters[connection.vendor] = per_field
        return self._converters[connection.vendor]
