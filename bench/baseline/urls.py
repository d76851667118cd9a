from django.urls import path

from bench.baseline.views import bare_form, bare_plain_form
from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("bench-bare/", bare_form), path("bench-bare-plain/", bare_plain_form),
               *site_urlpatterns]
