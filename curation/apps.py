from django.apps import AppConfig


class CurationConfig(AppConfig):
    name = "curation"
    verbose_name = "Curation"

    def ready(self) -> None:
        # Register every task by name in web processes too, so services can queue them by name
        # (curation.queue) without importing a tasks module.
        from curation import tasks  # noqa: F401
