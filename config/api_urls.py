"""Routes under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from curation.catalogue import views as catalogue
from curation.coverage import views as coverage
from curation.manifests import views as manifests
from curation.runs import views as runs
from inventory import views as inventory

router = DefaultRouter()
router.include_format_suffixes = False  # formats are chosen with ?format=, and file names keep dots
router.register("nations", inventory.NationViewSet, basename="nation")
router.register("languages", inventory.LanguageViewSet, basename="language")
router.register("licenses", inventory.LicenseViewSet, basename="license")
router.register("assets", runs.ProfiledAssetViewSet, basename="asset")
router.register("profile-runs", runs.ProfileRunViewSet, basename="profile-run")
router.register("coverage", coverage.CoverageViewSet, basename="coverage")
router.register("manifests", manifests.ManifestViewSet, basename="manifest")

urlpatterns = [
    path("assets/<int:pk>/files/<path:name>", manifests.AssetFileView.as_view(), name="asset-file"),
    path("catalogue.ttl", catalogue.catalogue, {"format": "ttl"}, name="catalogue-ttl"),
    path("catalogue.jsonld", catalogue.catalogue, {"format": "jsonld"}, name="catalogue-jsonld"),
    *router.urls,
]
