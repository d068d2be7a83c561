from .views import batches, notice, public, stations

urlpatterns = [*batches.urlpatterns, *stations.urlpatterns, *notice.urlpatterns, *public.urlpatterns]
