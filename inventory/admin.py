from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from knox.models import get_digest_token
from knox.settings import CONSTANTS
from simple_history.admin import SimpleHistoryAdmin

from inventory import grants, services
from inventory.auth import TOKEN_MAX_LIFETIME
from inventory.locations import LocationError
from inventory.models import (
    ApiToken,
    Asset,
    Language,
    License,
    Membership,
    Nation,
    NationLanguage,
    Organization,
    ReferenceDataRelease,
    StorageGrant,
)


class NationLanguageInline(admin.TabularInline):
    model = NationLanguage
    extra = 0
    autocomplete_fields = ["language"]
    fields = ["language", "population_percent", "speakers", "writers", "official_status", "source"]


@admin.register(Nation)
class NationAdmin(admin.ModelAdmin):
    list_display = ["alpha2", "alpha3", "name", "population"]
    search_fields = ["alpha2", "alpha3", "name", "official_name"]
    inlines = [NationLanguageInline]


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["tag", "name", "iso639_3", "scope", "macrolanguage", "default_script"]
    list_filter = ["scope", "default_script"]
    search_fields = ["tag", "name", "iso639_3"]


@admin.register(NationLanguage)
class NationLanguageAdmin(admin.ModelAdmin):
    list_display = ["nation", "language", "population_percent", "speakers", "writers"]
    list_filter = ["official_status", "source"]
    search_fields = ["nation__alpha2", "nation__name", "language__tag", "language__name"]
    list_select_related = ["nation", "language"]
    autocomplete_fields = ["nation", "language"]


@admin.register(License)
class LicenseAdmin(admin.ModelAdmin):
    list_display = ["spdx_id", "name", "use_class", "commercial_training", "osi_approved"]
    list_filter = ["use_class", "commercial_training", "osi_approved", "fsf_libre", "category"]
    search_fields = ["spdx_id", "name"]


@admin.register(ReferenceDataRelease)
class ReferenceDataReleaseAdmin(admin.ModelAdmin):
    list_display = ["loaded_at"]
    readonly_fields = ["loaded_at", "versions", "counts"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "nation", "kind"]
    list_filter = ["kind", "nation"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["nation"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role", "organization__kind"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(StorageGrant)
class StorageGrantAdmin(admin.ModelAdmin):
    """Which storage each organisation owns: assets are registered only from under its grants.
    The model checks the root and normalises the prefix; a grant overlapping another
    organisation's is saved (shared storage is a decision) with a warning."""

    list_display = ["organization", "kind", "root", "prefix", "granted_by", "created_at"]
    list_filter = ["kind", "root", "organization__nation"]
    search_fields = ["organization__name", "organization__slug", "root", "prefix", "note"]
    list_select_related = ["organization", "granted_by"]
    autocomplete_fields = ["organization"]
    fields = ["organization", "kind", "root", "prefix", "note", "granted_by", "created_at"]
    readonly_fields = ["granted_by", "created_at"]

    def save_model(self, request: Any, obj: StorageGrant, form: Any, change: bool) -> None:
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
        others = sorted(
            {
                grant.organization.slug
                for grant in StorageGrant.objects.filter(kind=obj.kind, root=obj.root)
                .exclude(organization=obj.organization)
                .select_related("organization")
                if grants.overlaps(grant.place, obj.place)
            }
        )
        if others:
            self.message_user(
                request,
                f"{obj.place} overlaps storage granted to {', '.join(others)}: their live "
                "assets still refuse overlapping registrations.",
                level="warning",
            )


class AssetAdminForm(forms.ModelForm):
    """A new or moved location passes the API's storage checks: under a grant of the asset's
    organisation, overlapping no other organisation's live asset, its files readable. (The
    admin gives the model and fields.)"""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        location, organization = cleaned.get("location"), cleaned.get("organization")
        moved = self.instance.pk is None or "location" in self.changed_data
        if location and organization and moved:
            cleaned["location"] = location = location.strip()
            try:
                services.checked_shards(organization=organization, location=location)
            except (services.StorageRefusal, LocationError) as exc:
                self.add_error("location", str(exc))
        return cleaned


@admin.register(Asset)
class AssetAdmin(SimpleHistoryAdmin):
    form = AssetAdminForm
    list_display = [
        "title",
        "organization",
        "format",
        "license_expression",
        "license_class",
        "access_level",
        "status",
        "updated_at",
    ]
    list_filter = ["status", "access_level", "format", "license_class", "organization__nation"]
    search_fields = ["title", "slug", "description", "location", "organization__name"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization", "hosting_nation", "languages", "origin_nations"]
    readonly_fields = ["status", "registered_by", "license_class", "created_at", "updated_at"]
    filter_horizontal = ["licenses"]
    history_list_display = ["license_expression", "status"]


class ApiTokenForm(forms.ModelForm):
    """Every token expires, in the future and within the longest lifetime any token may have."""

    class Meta:
        model = ApiToken
        fields = ["user", "name", "scope", "expiry"]

    def clean_expiry(self) -> datetime:
        expiry: datetime | None = self.cleaned_data.get("expiry")
        if expiry is None:
            raise forms.ValidationError("Every API token expires: set a date.")
        now = timezone.now()
        if expiry > now + TOKEN_MAX_LIFETIME:
            raise forms.ValidationError(
                f"A token lives at most {TOKEN_MAX_LIFETIME.days} days: "
                f"set a date before {now + TOKEN_MAX_LIFETIME:%Y-%m-%d}."
            )
        if expiry <= now and "expiry" in self.changed_data:
            raise forms.ValidationError("Set a date in the future.")
        return expiry


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Pipeline tokens: the secret is shown once, on the page answering its creation (never in a
    message, which would travel in a cookie); revoke a token by deleting it."""

    form = ApiTokenForm
    list_display = ["name", "user", "scope", "created", "expiry", "token_key"]
    list_filter = ["scope"]
    search_fields = ["name", "user__username", "token_key"]
    autocomplete_fields = ["user"]

    def get_fields(self, request: Any, obj: ApiToken | None = None) -> tuple[str, ...]:
        base = ("user", "name", "scope", "expiry")
        return base if obj is None else (*base, "token_key", "created")

    def get_readonly_fields(self, request: Any, obj: ApiToken | None = None) -> list[str]:
        return [] if obj is None else ["user", "token_key", "created"]

    def save_model(self, request: Any, obj: ApiToken, form: Any, change: bool) -> None:
        if not change:
            digest, token = get_digest_token()
            obj.digest, obj.token_key = digest, token[: CONSTANTS.TOKEN_KEY_LENGTH]
            request.api_token_secret = token
        super().save_model(request, obj, form, change)

    def response_add(
        self, request: Any, obj: ApiToken, post_url_continue: str | None = None
    ) -> Any:
        context = {
            **self.admin_site.each_context(request),
            "title": "API token created",
            "opts": self.opts,
            "token": obj,
            "secret": request.api_token_secret,
            "change_url": reverse("admin:inventory_apitoken_change", args=[obj.pk]),
            "changelist_url": reverse("admin:inventory_apitoken_changelist"),
        }
        response = TemplateResponse(request, "admin/inventory/apitoken/created.html", context)
        add_never_cache_headers(response)
        return response
