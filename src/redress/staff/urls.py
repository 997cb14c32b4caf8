from django.urls import path

from redress.staff import cases, statistics, tokens, views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in", views.sign_in, name="sign-in"),
    path("sign-in/code", views.sign_in_code, name="sign-in-code"),
    path("sign-in/set-up-authenticator", views.set_up_authenticator, name="set-up-authenticator"),
    path("sign-out", views.sign_out, name="sign-out"),
    path("cases", cases.queue, name="queue"),
    path("cases/<str:reference>", cases.case_detail, name="case"),
    path("statistics", statistics.statistics, name="statistics"),
    path("statistics.csv", statistics.statistics_csv, name="statistics-csv"),
    path("tokens", tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke", tokens.token_revoke, name="token-revoke"),
]
