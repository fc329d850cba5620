from django.apps import AppConfig


class SendreviewConfig(AppConfig):
    name = "sendreview"
    verbose_name = "sendreview"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
