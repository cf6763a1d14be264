"""Celery doors of the curation app: take ids or plain values, call one service."""

from celery import shared_task
from celery.app.task import Task

from curation import services


@shared_task(bind=True, name="curation.heartbeat")
def heartbeat_task(self: Task) -> int:
    """Prove the worker can reach the database; returns the worker's beat count."""
    hostname = self.request.hostname or "in-process"
    return services.record_heartbeat(hostname=hostname).beats
