"""Routes under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from curation import manifest_views
from curation import views as curation
from inventory import views as inventory

router = DefaultRouter()
router.include_format_suffixes = False  # formats are chosen with ?format=, and file names keep dots
router.register("nations", inventory.NationViewSet, basename="nation")
router.register("languages", inventory.LanguageViewSet, basename="language")
router.register("licenses", inventory.LicenseViewSet, basename="license")
router.register("assets", curation.ProfiledAssetViewSet, basename="asset")
router.register("profile-runs", curation.ProfileRunViewSet, basename="profile-run")
router.register("coverage", curation.CoverageViewSet, basename="coverage")
router.register("manifests", manifest_views.ManifestViewSet, basename="manifest")

urlpatterns = [
    path("assets/<int:pk>/files/<path:name>", curation.AssetFileView.as_view(), name="asset-file"),
    path("catalogue.ttl", manifest_views.catalogue, {"format": "ttl"}, name="catalogue-ttl"),
    path(
        "catalogue.jsonld", manifest_views.catalogue, {"format": "jsonld"}, name="catalogue-jsonld"
    ),
    *router.urls,
]
