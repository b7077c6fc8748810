"""Paging through essays at a cost that does not grow with the site: pages without a total, months by index hops.

Counting one version per essay, or listing the months that hold one with DISTINCT, reads every published
post (about a second at 100,000 posts on PostgreSQL). A list page only needs to know whether an older page
follows, and the archive only which months hold an essay: both are answered by walking an index a little.
"""

from datetime import UTC, datetime

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property


class OpenEndedPaginator(Paginator):
    """Pages that fetch one row more than they show to learn whether another follows; no COUNT.

    Pages stop at `max_pages` so OFFSET stays bounded; older essays stay one click away in the month
    archives and the sitemap. Only `?page=last` asks for `count`, which counts no further than the last
    page there can be.
    """

    max_pages = 100

    def validate_number(self, number):
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if number > self.max_pages:
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        rows = list(self.object_list[start : start + self.per_page + 1])
        if not rows and (number > 1 or not self.allow_empty_first_page):
            raise EmptyPage(self.error_messages["no_results"])
        has_next = len(rows) > self.per_page and number < self.max_pages
        return OpenEndedPage(rows[: self.per_page], number, self, has_next)

    @cached_property
    def count(self):
        rows = self.object_list[: self.per_page * self.max_pages]
        return rows.count() if isinstance(rows, QuerySet) else len(rows)


class OpenEndedPage(Page):
    def __init__(self, object_list, number, paginator, has_next):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self):
        return self._has_next


# The first instant of a stored time's UTC month, in each database's own words (no Python function per row).
UTC_MONTH_START = {
    "postgresql": "date_trunc('month', {}, 'UTC')",
    "sqlite": "strftime('%%Y-%%m-01 00:00:00', {})",
}


def months_holding(essays):
    """The months (in the current time zone) that hold one of `essays` (posts filtered without joins), newest first.

    A loose index scan in one recursive query: from the newest essay, hop to the newest one published
    before its month began, once per month, so the cost follows the number of months, not of posts.
    Hops go by UTC month; a UTC month overlaps at most two local months, so each hop also reads the
    month's oldest essay, and the two name every local month that holds one.
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
