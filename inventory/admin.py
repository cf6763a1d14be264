from django.contrib import admin

from inventory.models import Language, License, Nation, NationLanguage, ReferenceDataRelease


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
