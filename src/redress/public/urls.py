from django.urls import path

from redress.public import (
    acknowledgement_page,
    escrow,
    followup,
    outside,
    proof,
    report,
    statistics,
    taken_report,
    views,
)

app_name = "public"

urlpatterns = [
    path("", views.start, name="start"),
    path("accessibility", views.accessibility, name="accessibility"),
    path("privacy", views.privacy, name="privacy"),
    path("statistics", statistics.statistics, name="statistics"),
    path("statistics.csv", statistics.statistics_csv, name="statistics-csv"),
    path("outside-bodies", outside.outside_bodies, name="outside-bodies"),
    path("report/start", report.begin, name="report-begin"),
    path("report/check-answers", report.check, name="report-check"),
    path("report/submit", report.submit, name="report-submit"),
    path("report/sent", report.sent, name="report-sent"),
    path("report/acknowledgement", report.acknowledgement, name="report-acknowledgement"),
    path(
        "report/acknowledgement/read",
        acknowledgement_page.sent_page,
        name="report-acknowledgement-page",
    ),
    path(
        "report/acknowledgement/pdf",
        acknowledgement_page.sent_pdf,
        name="report-acknowledgement-pdf",
    ),
    path("report/done", report.done, name="report-done"),
    path("report/<slug:slug>", report.step, name="report-step"),
    path("escrow", escrow.start, name="escrow-start"),
    path("escrow/confirm/<str:token>", escrow.confirm, name="escrow-confirm"),
    path("escrow/check", escrow.check, name="escrow-check"),
    path("escrow/entry", escrow.status, name="escrow-status"),
    path("escrow/delete", escrow.delete, name="escrow-delete"),
    path("check", followup.check_code, name="report-check-code"),
    path("check/report", followup.status, name="report-status"),
    path("check/acknowledgement", proof.acknowledgement_file, name="report-proof-download"),
    path("check/acknowledgement/read", acknowledgement_page.check_page, name="report-proof-page"),
    path("check/acknowledgement/pdf", acknowledgement_page.check_pdf, name="report-proof-pdf"),
    path("check/proof", proof.renew, name="report-proof-renew"),
    path("check/record", taken_report.confirm_record, name="report-confirm-record"),
    path("check/withdraw", followup.withdraw, name="report-withdraw"),
    path("check/leave", followup.leave, name="report-leave"),
    path("check/lost-code", followup.lost_code, name="report-lost-code"),
    path("check/verify-email/<str:token>", followup.verify_email, name="report-verify-email"),
    path("check/recover/<str:token>", followup.recover, name="report-recover"),
]
