from .views import items, letters

urlpatterns = [*letters.urlpatterns, *items.urlpatterns]
