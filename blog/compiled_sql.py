"""The one place Bunko uses Django's private query internals, each with a plain-queryset fallback.

Two reads go below the public ORM because it is too slow for them:

- Prepared queries. Django builds and compiles a queryset every time it is evaluated. For the public pages'
  queries that costs 0.3 to 3 ms of Python (subqueries for translations and neighbours, joins for tags), while
  the database answers the SQL in a tenth of that. Their shape never changes, only a few values: the time now, a
  language, a slug. So each is written once as an ordinary queryset in which those values are `Param`s; Django
  compiles it on first use, and every later run binds the values and turns the rows into what the queryset
  itself would give (model instances or tuples, through the same converters). What cannot be a parameter (a
  slice's bounds, the length of an IN list) is the `shape`: one compiled query per shape.
- Month hops (months_holding): the archive's months found by a recursive query around the essays' compiled
  WHERE clause, instead of a DISTINCT over every published post.

The private parts are the SQL compiler (as_sql, select, klass_info, get_converters, apply_converters,
annotation_col_map), get_related_populators and create_namedtuple_class. When they are missing (a Django release
renamed or changed them: the checks below) or BUNKO_COMPILED_SQL is off, the same querysets run through
the public ORM, with the Params bound as values: slower, same results (tests/reading/test_compiled_sql.py runs
both). `make test-django-next` runs the tests against the next Django release, so a rename shows there first.
"""

import contextvars
import inspect
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Expression, Value
from django.utils import timezone
from django.utils.dateparse import parse_datetime

try:
    from django.db.models import FETCH_ONE
except ImportError:  # Django 5.2 has no fetch modes
    FETCH_ONE = None

try:
    from django.db.models.query import get_related_populators
    from django.db.models.sql.compiler import SQLCompiler
    from django.db.models.utils import create_namedtuple_class

    # get_related_populators as Django 5.2 has it, or with the fetch mode (how an object loads a field it lacks)
    # that 6.1 added: the prepared querysets set none, so their objects get the default, as the queryset gives them.
    POPULATOR_FETCH_MODE = {
        ("klass_info", "select", "db"): (),
        ("klass_info", "select", "db", "fetch_mode"): (FETCH_ONE,),
    }.get(tuple(inspect.signature(get_related_populators).parameters))
    PRIVATE_API_PRESENT = POPULATOR_FETCH_MODE is not None and all(
        callable(getattr(SQLCompiler, name, None))
        for name in ("as_sql", "compile", "get_converters", "apply_converters")
    )
except ImportError:
    PRIVATE_API_PRESENT = False

# Shapes kept per prepared query: pages of a list, IN lists of each length. Bounded, so a crawler
# paging everywhere cannot grow a worker.
MAX_SHAPES = 256

# The values the Params of a queryset being built stand for, when it runs through the public ORM.
bound_values = contextvars.ContextVar("bound_values", default=None)


def uses_compiled_sql():
    """Whether reads go through the compiled SQL (the private API is there and BUNKO_COMPILED_SQL is on)."""
    return PRIVATE_API_PRESENT and settings.BUNKO_COMPILED_SQL


class Param(Expression):
    """A value named when the prepared query runs; `field` (the model field it is compared with) adapts it."""

    def __init__(self, name, field):
        super().__init__(output_field=field)
        self.name = name

    def resolve_expression(self, *args, **kwargs):
        # Through the public ORM the Param is its value, as Value(), from the moment the queryset is built.
        values = bound_values.get()
        if values is not None:
            return Value(values[self.name], output_field=self.output_field).resolve_expression(*args, **kwargs)
        return super().resolve_expression(*args, **kwargs)

    def as_sql(self, compiler, connection):
        return "%s", [self]

    def __repr__(self):
        return f"Param({self.name!r})"


def param_list(name, field, count):
    """Params for an IN list of `count` values (its length is part of the shape), bound by list_values()."""
    return [Param(f"{name}{index}", field) for index in range(count)]


def list_values(name, values):
    """The values a param_list(name, ...) of their length binds."""
    return {f"{name}{index}": value for index, value in enumerate(values)}


class Compiled:
    """One shape of a prepared query: its SQL, where its parameters go, and how its rows become results."""

    def __init__(self, queryset, connection):
        self.compiler = queryset.query.get_compiler(connection=connection)
        self.sql, self.params = self.compiler.as_sql()
        columns = [column[0] for column in self.compiler.select[: self.compiler.col_count]]
        self.converters = self.compiler.get_converters(columns)
        query = queryset.query
        self.row_class = create_namedtuple_class(*query.extra_select, *query.values_select, *query.annotation_select)

    def run(self, connection, values):
        bound = [
            param.output_field.get_db_prep_value(values[param.name], connection) if isinstance(param, Param) else param
            for param in self.params
        ]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, bound)
            rows = cursor.fetchall()
        # What compiler.results_iter() does, with the converters found once.
        return map(tuple, self.compiler.apply_converters(rows, self.converters)) if self.converters else rows


class Prepared:
    """`build(*shape)` returns a queryset using Params; calling `rows` or `objects` runs it with their values.

    Results are those of the queryset: `rows()` for one made with values_list(..., named=True) (named tuples),
    `objects()` for model instances (with only()/defer() and annotations, like QuerySet iteration; no
    prefetching).
    """

    def __init__(self, build):
        self.build = build
        self.shapes = {}

    def compiled(self, shape, connection):
        # By alias, not connection object: threads have their own connections to the same database, and the
        # compiler's is only used to convert values, which does not depend on the thread.
        key = (connection.alias, shape)
        try:
            return self.shapes[key]
        except KeyError:
            pass
        try:
            compiled = Compiled(self.build(*shape), connection)
        except EmptyResultSet:  # e.g. an IN list of no values: no query, no rows
            compiled = None
        if len(self.shapes) >= MAX_SHAPES:
            self.shapes.clear()
        self.shapes[key] = compiled
        return compiled

    def through_orm(self, shape, using, values):
        """The results as the public ORM gives them: the queryset built again with each Param bound to its value."""
        token = bound_values.set(values)
        try:
            queryset = self.build(*shape)
        finally:
            bound_values.reset(token)
        return list(queryset.using(using))

    def rows(self, *shape, using=DEFAULT_DB_ALIAS, **values):
        return self.results(shape, using, values, named_rows)

    def objects(self, *shape, using=DEFAULT_DB_ALIAS, **values):
        return self.results(shape, using, values, model_instances)

    def results(self, shape, using, values, convert):
        """Through the compiled SQL, `convert(compiled, rows, using)` of its rows; else through the public ORM."""
        if not uses_compiled_sql():
            return self.through_orm(shape, using, values)
        connection = connections[using]
        compiled = self.compiled(shape, connection)
        if compiled is None:
            return []
        return convert(compiled, compiled.run(connection, values), using)


def named_rows(compiled, rows, using):
    """What values_list(..., named=True) gives."""
    return [compiled.row_class(*row) for row in rows]


def model_instances(compiled, rows, using):
    """What iterating the queryset gives: its model's instances, related objects and annotations on them."""
    compiler = compiled.compiler
    klass_info, select = compiler.klass_info, compiler.select
    first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    field_names = [column[0].target.attname for column in select[first:last]]
    populators = get_related_populators(klass_info, select, using, *POPULATOR_FETCH_MODE)
    annotations = compiler.annotation_col_map.items()
    model = klass_info["model"]
    objects = []
    for row in rows:
        obj = model.from_db(using, field_names, row[first:last])
        for populator in populators:
            populator.populate(row, obj)
        for name, position in annotations:
            setattr(obj, name, row[position])
        objects.append(obj)
    return objects


# ---- months holding essays

# The first instant of a stored time's UTC month, in each database's own words (no Python function per row).
UTC_MONTH_START = {
    "postgresql": "date_trunc('month', {}, 'UTC')",
    "sqlite": "strftime('%%Y-%%m-01 00:00:00', {})",
}


def months_holding(essays):
    """The months (in the current time zone) that hold one of `essays` (posts filtered without joins), newest first,
    as the first instant of each month.

    Counting one version per essay, or listing the months that hold one with DISTINCT, reads every published
    post (about a second at 100,000 posts on PostgreSQL); months_by_index_hops walks an index a little instead.
    """
    if uses_compiled_sql() and connections[essays.db].vendor in UTC_MONTH_START:
        return months_by_index_hops(essays)
    return list(essays.datetimes("publish_at", "month", order="DESC"))


def months_by_index_hops(essays):
    """months_holding() as a loose index scan in one recursive query.

    From the newest essay, hop to the newest one published before its month began, once per month, so the cost
    follows the number of months, not of posts. Hops go by UTC month; a UTC month overlaps at most two local
    months, so each hop also reads the month's oldest essay, and the two name every local month that holds one.
    """
    connection = connections[essays.db]
    table = connection.ops.quote_name(essays.model._meta.db_table)
    time = f"{table}.{connection.ops.quote_name('publish_at')}"
    condition, params = essays.query.get_compiler(connection=connection).compile(essays.query.where)
    month_start = UTC_MONTH_START[connection.vendor].format

    def walk(order, bound=None):
        # A walk's own bound comes first: of two upper bounds on one column (a hop's and published()'s
        # "until now"), SQLite walks the index from the first, and from "now" a hop would reread newer posts.
        where = f"{bound} AND {condition}" if bound else condition
        return f"SELECT {time} FROM {table} WHERE {where} ORDER BY 1 {order} LIMIT 1"

    sql = f"""
        WITH RECURSIVE hops(newest) AS (
            SELECT ({walk("DESC")})
            UNION ALL
            SELECT ({walk("DESC", f"{time} < {month_start('hops.newest')}")}) FROM hops WHERE hops.newest IS NOT NULL
        )
        SELECT newest, ({walk("ASC", f"{time} >= {month_start('newest')}")}) FROM hops WHERE newest IS NOT NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params * 3)
        rows = cursor.fetchall()
    zone = timezone.get_current_timezone()
    months = {year_and_month(moment, zone) for row in rows for moment in row}
    return [datetime(year, month, 1, tzinfo=zone) for year, month in sorted(months, reverse=True)]


def year_and_month(moment, zone):
    """`moment`'s year and month in `zone` (SQLite hands back naive UTC, as text or datetime)."""
    if isinstance(moment, str):
        moment = parse_datetime(moment)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone)
    return local.year, local.month
