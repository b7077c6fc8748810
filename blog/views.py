"""Public pages. Every query starts from Post.objects.published()."""

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.views import generic

from blog.models import Author, Post, Tag


class PublishedPostMixin:
    paginate_by = settings.BUNKO_POSTS_PER_PAGE

    def get_queryset(self):
        return Post.objects.published().prefetch_related("authors", "tags")


class PostListView(PublishedPostMixin, generic.ListView):
    pass


class PostDetailView(PublishedPostMixin, generic.DetailView):
    def get_queryset(self):
        return super().get_queryset().filter(language=self.request.LANGUAGE_CODE)


class TagDetailView(PublishedPostMixin, generic.ListView):
    template_name = "blog/tag_detail.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorDetailView(PublishedPostMixin, generic.ListView):
    template_name = "blog/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().filter(authors=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class PostYearArchiveView(PublishedPostMixin, generic.YearArchiveView):
    date_field = "publish_at"
    make_object_list = True


class PostMonthArchiveView(PublishedPostMixin, generic.MonthArchiveView):
    date_field = "publish_at"
    month_format = "%m"


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    results = Post.objects.published().filter(body__icontains=query) if query else Post.objects.none()
    return render(request, "blog/search.html", {"query": query, "results": results})
