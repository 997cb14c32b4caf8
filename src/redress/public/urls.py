from django.urls import path

from redress.public import views

app_name = "public"

urlpatterns = [
    path("", views.start, name="start"),
    path("accessibility", views.accessibility, name="accessibility"),
    path("privacy", views.privacy, name="privacy"),
]
