"""Celery door of manifests: materialise a version too large to build inline."""

from celery import shared_task

from curation import queue
from curation.manifests import services as manifest_service


@shared_task(name=queue.MATERIALISE_MANIFEST)
def materialise_manifest_task(version_id: int) -> str:
    return manifest_service.materialise(version_id=version_id).status
