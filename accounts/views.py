"""Accepting an invitation (the invited person chooses their password from the e-mailed link), and
the page that says e-mail addresses are changed by the LA administrator."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_GET, require_http_methods

from sendreview.forms import GDSFormMixin


class ChoosePasswordForm(GDSFormMixin, SetPasswordForm):
    submit_label = "Set password"


@require_http_methods(["GET", "POST"])
def invitation_accept(request, uidb64, token):
    user = _user_for(uidb64)
    # The token is tied to the password hash: it stops working once a password is set.
    if user is None or not user.is_active or not default_token_generator.check_token(user, token):
        return render(request, "account/invitation_invalid.html", status=404)
    form = ChoosePasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request, "Your password is set. Sign in, then set up your authenticator app."
        )
        return redirect("account_login")
    return render(request, "account/invitation_accept.html", {"form": form, "invited": user})


def _user_for(uidb64):
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        return get_user_model().objects.get(pk=pk)
    except (ValueError, TypeError, OverflowError, get_user_model().DoesNotExist):
        return None


@login_required
@require_GET
def email_managed_by_la(request):
    """People cannot add or change their own e-mail address: the local authority owns it and its
    administrator changes it (schools:user-email). This page, in place of allauth's, says so; a
    POST (allauth's add/change/remove form) is refused."""
    return render(request, "account/email_managed.html")
