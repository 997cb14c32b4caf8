from django.urls import path

from redress.respond import support, views

app_name = "respond"

urlpatterns = [
    path("", views.case, name="case"),
    path("open/<str:token>", views.open_link, name="open"),
    path("new-link", views.new_link, name="new-link"),
    path("leave", views.leave, name="leave"),
    path("support", support.ask, name="support"),
]
