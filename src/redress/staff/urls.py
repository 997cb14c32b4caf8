from django.urls import path

from redress.staff import (
    cases,
    casework,
    conflicts,
    escrow,
    oversight,
    statistics,
    token_consent,
    tokens,
    vetting,
    views,
)

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in", views.sign_in, name="sign-in"),
    path("sign-in/code", views.sign_in_code, name="sign-in-code"),
    path("sign-in/set-up-authenticator", views.set_up_authenticator, name="set-up-authenticator"),
    path("sign-out", views.sign_out, name="sign-out"),
    path("cases", cases.queue, name="queue"),
    path("cases/<str:reference>", cases.case_detail, name="case"),
    path("cases/<str:reference>/take", casework.take, name="case-take"),
    path("cases/<str:reference>/move", casework.move, name="case-move"),
    path("cases/<str:reference>/message", casework.message, name="case-message"),
    path("cases/<str:reference>/record", casework.record, name="case-record"),
    path("cases/<str:reference>/evidence", casework.evidence, name="case-evidence"),
    path(
        "cases/<str:reference>/evidence/<int:pk>", casework.evidence_file, name="case-evidence-file"
    ),
    path(
        "cases/<str:reference>/evidence/<int:pk>/pages",
        casework.evidence_pages,
        name="case-evidence-pages",
    ),
    path(
        "cases/<str:reference>/evidence/<int:pk>/pages/<int:page>",
        casework.evidence_page,
        name="case-evidence-page",
    ),
    path("cases/<str:reference>/measures", casework.measure, name="case-measure"),
    path(
        "cases/<str:reference>/measures/<int:pk>/review",
        casework.measure_review,
        name="case-measure-review",
    ),
    path("cases/<str:reference>/assign", casework.assign, name="case-assign"),
    path("cases/<str:reference>/assignments/<int:pk>/end", casework.unassign, name="case-unassign"),
    path("cases/<str:reference>/hold", casework.hold, name="case-hold"),
    path("cases/<str:reference>/risk", casework.risk, name="case-risk"),
    path("cases/<str:reference>/risk/<int:pk>", casework.risk_decide, name="case-risk-decide"),
    path("cases/<str:reference>/notify", casework.notify, name="case-notify"),
    path("cases/<str:reference>/appeal", casework.appeal, name="case-appeal"),
    path("conflicts", conflicts.conflicts, name="conflicts"),
    path("oversight", oversight.dashboard, name="oversight"),
    path("statistics", statistics.statistics, name="statistics"),
    path("statistics.csv", statistics.statistics_csv, name="statistics-csv"),
    path("escrow", escrow.console, name="escrow"),
    path("escrow/matches/<int:pk>", escrow.open_match, name="escrow-match"),
    path("vetting", vetting.checks, name="vetting"),
    path("vetting/new", vetting.new_check, name="vetting-new"),
    path("vetting/<int:pk>", vetting.check_result, name="vetting-check"),
    path("tokens", tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke", tokens.token_revoke, name="token-revoke"),
    path("tokens/mine", token_consent.tokens_mine, name="tokens-mine"),
    path("tokens/<int:pk>/approve", token_consent.token_approve, name="token-approve"),
    path("tokens/<int:pk>/refuse", token_consent.token_refuse, name="token-refuse"),
]
