"""Paging through essays at a cost that does not grow with the site: pages without a total.

Counting one version per essay reads every published post (about a second at 100,000 posts on PostgreSQL). A
list page only needs to know whether an older page follows: it fetches one row more than it shows. (The archive's
months are found the same way, by walking an index a little: blog.compiled_sql.months_holding.)
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
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
