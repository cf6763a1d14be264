"""Routes under /api/v1/."""

from rest_framework.routers import DefaultRouter

from inventory import views as inventory

router = DefaultRouter()
router.register("nations", inventory.NationViewSet, basename="nation")
router.register("languages", inventory.LanguageViewSet, basename="language")
router.register("licenses", inventory.LicenseViewSet, basename="license")
router.register("assets", inventory.AssetViewSet, basename="asset")

urlpatterns = router.urls
