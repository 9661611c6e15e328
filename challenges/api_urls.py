from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("events", api.EventViewSet, basename="event")

urlpatterns = router.urls
