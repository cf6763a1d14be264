from typing import Any

from django.contrib import admin, messages
from knox.models import get_digest_token
from knox.settings import CONSTANTS
from simple_history.admin import SimpleHistoryAdmin

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


@admin.register(Asset)
class AssetAdmin(SimpleHistoryAdmin):
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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Pipeline tokens: the secret is shown once, on creation; revoke a token by deleting it."""

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
            messages.warning(request, f"Token for {obj.user}: {token} (copy it now: shown once)")
        super().save_model(request, obj, form, change)
