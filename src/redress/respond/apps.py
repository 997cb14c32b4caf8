from django.apps import AppConfig


class RespondConfig(AppConfig):
    name = "redress.respond"
    label = "respond"
    verbose_name = "The respondent's pages"

    def ready(self) -> None:
        # Acts on a case announce news for the respondent after commit; they hear of it here.
        from redress.cases.notices import respondent_updated
        from redress.respond.notices import tell_respondent

        respondent_updated.connect(tell_respondent, weak=False, dispatch_uid="respond.news")
