"""Querysets compiled to SQL once per process, then run with each request's values.

Django builds and compiles a queryset every time it is evaluated. For the public pages' queries that
costs 0.3 to 3 ms of Python (subqueries for translations and neighbours, joins for tags), while the
database answers the SQL in a tenth of that. Their shape never changes, only a few values: the time
now, a language, a slug. So each is written once as an ordinary queryset in which those values are
`Param`s; Django compiles it on first use, and every later run binds the values and turns the rows
into what the queryset itself would give (model instances or tuples, through the same converters).
What cannot be a parameter (a slice's bounds, the length of an IN list) is the `shape`: one compiled
query per shape.
"""

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Expression
from django.db.models.query import get_related_populators
from django.db.models.utils import create_namedtuple_class

# Shapes kept per prepared query: pages of a list, IN lists of each length. Bounded, so a crawler
# paging everywhere cannot grow a worker.
MAX_SHAPES = 256


class Param(Expression):
    """A value named when the prepared query runs; `field` (the model field it is compared with) adapts it."""

    def __init__(self, name, field):
        super().__init__(output_field=field)
        self.name = name

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

    Results are those of the queryset: `rows()` for one made with values_list() (named tuples), `objects()`
    for model instances (with only()/defer() and annotations, like QuerySet iteration; no prefetching).
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

    def rows(self, *shape, using=DEFAULT_DB_ALIAS, **values):
        connection = connections[using]
        compiled = self.compiled(shape, connection)
        if compiled is None:
            return []
        return [compiled.row_class(*row) for row in compiled.run(connection, values)]

    def objects(self, *shape, using=DEFAULT_DB_ALIAS, **values):
        connection = connections[using]
        compiled = self.compiled(shape, connection)
        if compiled is None:
            return []
        compiler = compiled.compiler
        klass_info, select = compiler.klass_info, compiler.select
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        field_names = [column[0].target.attname for column in select[first:last]]
        populators = get_related_populators(klass_info, select, using)
        annotations = compiler.annotation_col_map.items()
        model = klass_info["model"]
        objects = []
        for row in compiled.run(connection, values):
            obj = model.from_db(using, field_names, row[first:last])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects
