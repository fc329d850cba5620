from django.urls import path

from accounts import views

urlpatterns = [
    path("invitation/<uidb64>/<token>/", views.invitation_accept, name="invitation-accept"),
]
