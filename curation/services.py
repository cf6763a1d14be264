"""Writes of the curation app: every change that touches several rows, I/O or the queue."""

from django.db.models import F
from django.utils import timezone

from curation.models import WorkerHeartbeat


def record_heartbeat(*, hostname: str) -> WorkerHeartbeat:
    """Record that `hostname` is alive; safe to call any number of times."""
    now = timezone.now()
    beat, created = WorkerHeartbeat.objects.get_or_create(
        hostname=hostname, defaults={"seen_at": now, "beats": 1}
    )
    if not created:
        WorkerHeartbeat.objects.filter(pk=beat.pk).update(seen_at=now, beats=F("beats") + 1)
        beat.refresh_from_db()
    return beat
