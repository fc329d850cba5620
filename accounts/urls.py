from django.urls import path

from accounts import views

urlpatterns = [
    path("invitation/<uidb64>/<token>/", views.invitation_accept, name="invitation-accept"),
    # Before allauth's URLs (sendreview/urls.py includes these first): this replaces allauth's page
    # for adding and changing one's own e-mail addresses, which the service does not offer.
    path("email/", views.email_managed_by_la, name="account_email"),
]
