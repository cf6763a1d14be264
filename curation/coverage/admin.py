"""Admin of coverage policies and report snapshots."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from curation.models import (
    CoveragePolicy,
    CoverageReport,
)


@admin.register(CoveragePolicy)
class CoveragePolicyAdmin(SimpleHistoryAdmin):
    list_display = ["nation", "target_tier", "updated_by", "updated_at"]
    autocomplete_fields = ["nation"]


@admin.register(CoverageReport)
class CoverageReportAdmin(admin.ModelAdmin):
    list_display = ["nation", "generated_at"]
    list_filter = ["nation"]
    readonly_fields = ["nation", "generated_at", "fingerprint", "policy", "indicators", "data"]
    exclude = ["chart_svg"]
