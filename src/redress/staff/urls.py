from django.urls import path

from redress.staff import views

app_name = "staff"

urlpatterns = [
    path("sign-in", views.sign_in, name="sign-in"),
]
