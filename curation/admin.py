from typing import Any

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from curation.models import (
    AssetProfile,
    CoveragePolicy,
    CoverageReport,
    Manifest,
    ManifestDownload,
    ManifestVersion,
    ProfileRun,
    ProfileShard,
    WorkerHeartbeat,
)
from inventory.admin import AssetAdmin
from inventory.models import Asset


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "seen_at", "beats"]
    readonly_fields = ["hostname", "seen_at", "beats"]


class ProfileShardInline(admin.TabularInline):
    model = ProfileShard
    extra = 0
    can_delete = False
    fields = [
        "name",
        "role",
        "size",
        "status",
        "attempts",
        "worker",
        "started_at",
        "finished_at",
        "error",
    ]
    readonly_fields = fields


@admin.register(ProfileRun)
class ProfileRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "asset",
        "status",
        "shards_total",
        "shards_done",
        "shards_failed",
        "created_at",
        "finished_at",
        "error_code",
    ]
    list_filter = ["status", "error_code"]
    search_fields = ["asset__title", "asset__slug", "error_message"]
    list_select_related = ["asset"]
    readonly_fields = [f.name for f in ProfileRun._meta.fields]
    inlines = [ProfileShardInline]


@admin.register(ProfileShard)
class ProfileShardAdmin(admin.ModelAdmin):
    """Shards with errors and timings, across runs."""

    list_display = [
        "name",
        "run",
        "status",
        "attempts",
        "worker",
        "started_at",
        "finished_at",
        "error",
    ]
    list_filter = ["status"]
    search_fields = ["name", "error", "worker"]
    readonly_fields = [f.name for f in ProfileShard._meta.fields]


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


class ManifestVersionInline(admin.TabularInline):
    model = ManifestVersion
    extra = 0
    can_delete = False
    fields = [
        "number",
        "status",
        "created_by",
        "created_at",
        "entry_count",
        "total_bytes",
        "content_hash",
    ]
    readonly_fields = fields


@admin.register(Manifest)
class ManifestAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "organization", "updated_at"]
    search_fields = ["slug", "title"]
    autocomplete_fields = ["organization"]
    inlines = [ManifestVersionInline]


@admin.register(ManifestDownload)
class ManifestDownloadAdmin(admin.ModelAdmin):
    list_display = ["version", "user", "token", "format", "downloaded_at"]
    list_filter = ["format"]
    readonly_fields = ["version", "user", "token", "format", "downloaded_at"]


class ProfiledAssetAdmin(AssetAdmin):
    """The asset page with its latest profile: totals, languages and flags."""

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "latest_profile"]

    @admin.display(description="Latest profile")
    def latest_profile(self, asset: Asset) -> str:
        profile = AssetProfile.objects.filter(asset=asset).prefetch_related("languages").first()
        if profile is None:
            return "not profiled yet"
        rows = format_html_join(
            "",
            "<li>{} ({}): {} documents, {} of characters, ~{} tokens</li>",
            (
                (r.language, r.status, r.documents, f"{r.share_characters:.1%}", r.estimated_tokens)
                for r in profile.languages.all()
            ),
        )
        flags = ", ".join(profile.data.get("flags", [])) or "none"
        return format_html(
            "Run {} at {}: {} documents, {} characters, ~{} tokens, {} duplicates; "
            "complete: {}; flags: {}<ul>{}</ul>",
            profile.run_id,
            profile.profiled_at,
            profile.documents,
            profile.characters,
            profile.estimated_tokens,
            profile.duplicate_documents,
            profile.complete,
            flags,
            rows,
        )


admin.site.unregister(Asset)
admin.site.register(Asset, ProfiledAssetAdmin)
