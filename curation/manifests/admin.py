"""Admin of manifests, their versions and downloads."""

from django.contrib import admin

from curation.models import (
    Manifest,
    ManifestDownload,
    ManifestVersion,
)


class ManifestVersionInline(admin.TabularInline):
    model = ManifestVersion
    extra = 0
    can_delete = False
    fields = (
        "number",
        "status",
        "created_by",
        "created_at",
        "entry_count",
        "total_bytes",
        "content_hash",
    )
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
