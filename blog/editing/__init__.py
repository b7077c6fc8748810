"""The editing side: what an editor touches in the Django admin.

The admin itself (posts with their inlines, actions and views, authors, tags), its forms, validated image
uploads and signed draft previews.
"""
