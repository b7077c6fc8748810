"""The owner's view of subscriptions: who is subscribed (never what they opened or clicked), each essay's sends."""

import csv

from django.conf import settings
from django.contrib import admin
from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from blog.models import Delivery, Newsletter, Subscriber

# A subscriber names at most three languages (blog.mail.forms.LANGUAGE_FIELDS).
LANGUAGE_POSITIONS = range(3)


class ReadsLanguageFilter(admin.SimpleListFilter):
    title = _("reads")
    parameter_name = "reads"

    def lookups(self, request, model_admin):
        return settings.LANGUAGES

    def queryset(self, request, queryset):
        if self.value() not in dict(settings.LANGUAGES):
            return queryset
        return queryset.filter(
            Q(*[Q(**{f"languages__{position}": self.value()}) for position in LANGUAGE_POSITIONS], _connector=Q.OR)
        )


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "state", "language_list", "interface_language", "follows_everything", "created_at"]
    list_filter = ["state", ReadsLanguageFilter, "interface_language"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    readonly_fields = ["state", "created_at", "confirmed_at", "confirmation_sent_at"]
    filter_horizontal = ["authors", "tags"]
    actions = ["export_csv"]

    @admin.display(description=_("languages"))
    def language_list(self, subscriber):
        return ", ".join(subscriber.languages)

    @admin.action(description=_("Export the selected subscribers as CSV"))
    def export_csv(self, request, queryset):
        """What we hold about each reader, as a spreadsheet: the address, its choices and dates, nothing else."""
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="subscribers.csv"'
        writer = csv.writer(response)
        writer.writerow(["email", "state", "languages", "interface_language", "follows", "created_at", "confirmed_at"])
        for subscriber in queryset.prefetch_related("authors", "tags").order_by("pk"):
            follows = (
                "everything"
                if subscriber.follows_everything
                else " ".join(
                    [f"author:{author.slug}" for author in subscriber.authors.all()]
                    + [f"tag:{tag.slug}" for tag in subscriber.tags.all()]
                )
            )
            writer.writerow([
                subscriber.email, subscriber.state, " ".join(subscriber.languages), subscriber.interface_language,
                follows, subscriber.created_at.isoformat(),
                subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else "",
            ])  # fmt: skip
        return response


@admin.register(Newsletter)
class NewsletterAdmin(admin.ModelAdmin):
    list_display = ["original", "published_at", "queued", "sent", "failed"]
    date_hierarchy = "published_at"
    readonly_fields = ["translation_key", "original", "published_at", "queued_at"]

    def get_queryset(self, request):
        counts = {
            f"{state}_count": Count("deliveries", filter=Q(deliveries__state=state)) for state in Delivery.State.values
        }
        return super().get_queryset(request).select_related("original").annotate(**counts)

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("queued"), ordering="queued_count")
    def queued(self, newsletter):
        return newsletter.queued_count

    @admin.display(description=_("sent"), ordering="sent_count")
    def sent(self, newsletter):
        return newsletter.sent_count

    @admin.display(description=_("failed"), ordering="failed_count")
    def failed(self, newsletter):
        return newsletter.failed_count


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["newsletter", "subscriber", "state", "language", "attempts", "sent_at", "last_error"]
    list_filter = ["state", "newsletter"]
    list_select_related = ["newsletter__original", "subscriber"]
    readonly_fields = [field for field in list_display if field not in ("newsletter", "subscriber")]

    def has_add_permission(self, request):
        return False
