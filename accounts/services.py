"""Writes about people's accounts that are not tenant data: invitation e-mails and ending sessions."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

INVITATION_SUBJECT = "You have been invited to use sendreview"
NEW_ROLE_SUBJECT = "You have a new role in sendreview"


def invitation_link(*, user, base_url: str) -> str:
    """The absolute link that lets `user` choose a password; it stops working once one is set."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("invitation-accept", kwargs={"uidb64": uidb64, "token": token})
    return base_url.rstrip("/") + path


def send_invitation(
    *, user, role_label: str, place: str, invited_by_name: str, base_url: str
) -> None:
    """E-mail an invited person: a link to set their password if they have none yet, otherwise a note
    of the new role and where to sign in. Called after the membership is committed."""
    new_user = not user.has_usable_password()
    context = {
        "full_name": user.full_name,
        "role_label": role_label,
        "place": place,
        "invited_by_name": invited_by_name,
        "new_user": new_user,
        "link": invitation_link(user=user, base_url=base_url) if new_user else "",
        "sign_in_url": base_url.rstrip("/") + reverse("account_login"),
        "expiry_days": max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60)),
    }
    send_mail(
        subject=INVITATION_SUBJECT if new_user else NEW_ROLE_SUBJECT,
        message=render_to_string("email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )


def end_sessions(*, user) -> int:
    """Delete every stored session of `user`. Their next request is anonymous anyway once they are
    inactive (the auth backends refuse inactive users); this removes the session data as well."""
    user_id = str(user.pk)
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == user_id:
            session.delete()
            ended += 1
    return ended
