"""``portal.lib.prepared``: PostgreSQL plans a hot statement once per connection."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from portal.lib.prepared import _numbered, fetchone_prepared
from registrations.models import Province

SQL = f'SELECT "name" FROM "{Province._meta.db_table}" WHERE "code" = %s'  # noqa: S608


def test_placeholders_are_numbered_for_postgresql():
    assert _numbered("SELECT %s, %s FROM t WHERE a = %s") == "SELECT $1, $2 FROM t WHERE a = $3"
    assert _numbered("SELECT 1") == "SELECT 1"


@pytest.mark.parametrize("sql", ["SELECT '%%' || %s", "SELECT %(name)s"])
def test_other_placeholders_are_refused(sql):
    with pytest.raises(ValueError, match="placeholders"):
        _numbered(sql)


@pytest.mark.django_db
def test_the_row_is_the_same_as_the_plain_querys():
    guangdong = Province.objects.get(code="440000")
    assert fetchone_prepared("test_province_name", SQL, ["440000"]) == (guangdong.name,)
    assert fetchone_prepared("test_province_name", SQL, ["000000"]) is None


def _statements(name: str, params) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        fetchone_prepared(name, SQL, params)
    return [query["sql"].split()[0] for query in queries.captured_queries]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_prepares_once_per_connection_and_again_after_a_reconnect():
    assert _statements("test_province_once", ["440000"]) == ["PREPARE", "EXECUTE"]
    assert _statements("test_province_once", ["110000"]) == ["EXECUTE"]

    connection.close()  # a new connection has no prepared statement
    assert _statements("test_province_once", ["440000"]) == ["PREPARE", "EXECUTE"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        assert [row[0] for row in cursor.fetchall()] == ["test_province_once"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_statement_prepared_in_a_rolled_back_transaction_stays_usable():
    with pytest.raises(RuntimeError), transaction.atomic():
        fetchone_prepared("test_province_rollback", SQL, ["440000"])
        raise RuntimeError("roll back")
    assert fetchone_prepared("test_province_rollback", SQL, ["440000"]) is not None


def test_a_bad_statement_name_is_refused(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: other databases run the statement unprepared")
    with pytest.raises(ValueError, match="statement name"):
        fetchone_prepared("bad name; DROP TABLE x", SQL, ["440000"])
