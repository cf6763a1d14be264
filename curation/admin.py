"""Admin registrations of the curation app, one module per domain (imported for the admin's
autodiscovery)."""

from curation.coverage import admin as coverage_admin
from curation.manifests import admin as manifests_admin
from curation.runs import admin as runs_admin

__all__ = ["coverage_admin", "manifests_admin", "runs_admin"]
