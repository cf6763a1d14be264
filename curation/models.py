"""Curation records: what workers report and what is learned from the catalogue."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker proved, through the broker, that it can write here."""

    hostname = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField()
    beats = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["hostname"]

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
