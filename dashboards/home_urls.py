"""The service's home page (one per role), owned by the dashboards app; included without a
namespace so that its URL name stays "home"."""

from django.urls import path

from dashboards import home

urlpatterns = [path("", home.home, name="home")]
