"""Admin of profiling: heartbeats, runs and shards, and the asset page with its latest profile."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from curation import lifecycle
from curation.models import (
    AssetProfile,
    ProfileRun,
    ProfileShard,
    WorkerHeartbeat,
)
from curation.runs import services as runs
from inventory.admin import AssetAdmin
from inventory.models import Asset


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "seen_at", "beats"]
    readonly_fields = ["hostname", "seen_at", "beats"]


_SHARD_FIELDS = (
    "name",
    "role",
    "size",
    "status",
    "attempts",
    "worker",
    "started_at",
    "finished_at",
    "error",
)


class ProfileShardInline(admin.TabularInline):
    model = ProfileShard
    extra = 0
    can_delete = False
    fields = _SHARD_FIELDS
    readonly_fields = _SHARD_FIELDS


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


class ProfiledAssetAdmin(AssetAdmin):
    """The asset page with its latest profile: totals, languages and flags. What follows an
    add or a change (a run, coverage refreshes) is `curation.lifecycle`'s to decide, as in the
    API; "Profile now" starts a run."""

    actions = ["profile_now"]

    def save_model(self, request: Any, obj: Asset, form: Any, change: bool) -> None:
        if not change:
            obj.registered_by = request.user
        stored = Asset.objects.filter(pk=obj.pk).first() if change else None
        # The state before the change, taken from the stored row: `obj` holds the form's values.
        obj._lifecycle_before = lifecycle.state_of(stored) if stored else None  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # languages and nations are set
        asset: Asset = form.instance
        before = getattr(asset, "_lifecycle_before", None)
        if before is None:
            lifecycle.asset_registered(asset=asset, actor=request.user)
        else:
            lifecycle.asset_changed(asset=asset, before=before, actor=request.user)

    @admin.action(description="Profile now")
    def profile_now(self, request: HttpRequest, queryset: QuerySet[Asset]) -> None:
        started, refused = 0, []
        for asset in queryset:
            try:
                runs.request_profile(asset=asset, requested_by=request.user)
                started += 1
            except runs.ProfileRequestError as exc:
                refused.append(f"{asset}: {exc}")
        self.message_user(request, f"Profiling started or running for {started} asset(s).")
        for reason in refused:
            self.message_user(request, reason, level=messages.WARNING)

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
