"""Subscription routes; config/urls.py mounts them under a language prefix, at subscribe/."""

from django.urls import path

from blog.mail import views

app_name = "mail"
urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
