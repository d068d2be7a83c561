from .views import batches, fieldwork, notice, public, questionnaires, stations

urlpatterns = [*batches.urlpatterns, *stations.urlpatterns, *notice.urlpatterns, *public.urlpatterns,
               *fieldwork.urlpatterns, *questionnaires.urlpatterns]
