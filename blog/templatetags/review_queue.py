"""The admin index's review queue: how many posts wait for an editor."""

from django import template

from blog.models import Post

register = template.Library()


@register.simple_tag(takes_context=True)
def posts_in_review(context):
    """The count for an editor (whoever may publish), None for anyone else."""
    user = context["request"].user
    if not user.has_perm("blog.publish_post"):
        return None
    return Post.objects.filter(status=Post.Status.IN_REVIEW).count()
