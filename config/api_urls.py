"""Routes under /api/v1/."""

from rest_framework.routers import DefaultRouter

from curation import views as curation
from inventory import views as inventory

router = DefaultRouter()
router.register("nations", inventory.NationViewSet, basename="nation")
router.register("languages", inventory.LanguageViewSet, basename="language")
router.register("licenses", inventory.LicenseViewSet, basename="license")
router.register("assets", curation.ProfiledAssetViewSet, basename="asset")
router.register("profile-runs", curation.ProfileRunViewSet, basename="profile-run")
router.register("coverage", curation.CoverageViewSet, basename="coverage")

urlpatterns = router.urls
