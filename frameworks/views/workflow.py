"""The workflow steps: submit, ask for and give the headteacher's confirmation, record the
discussion, re-open and close. Each is a confirmation page (GET) and the step (POST)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from frameworks import analysis, selectors, services
from frameworks.forms import (
    CloseForm,
    DiscussionForm,
    ModerationForm,
    ReopenForm,
    SubmitForm,
)
from frameworks.views.common import (
    page_context,
    posted,
    review_for,
)

# --- workflow -------------------------------------------------------------------------------------


def _workflow_step(request, uuid, *, permission, form_class, template, act, success):
    """GET: the confirmation page; POST: run `act(review, form)` and go back to the review."""
    review = review_for(request, uuid, permission)
    form = form_class(posted(request)) if form_class else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            act(review, form)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, success)
        return redirect("frameworks:review-detail", uuid=review.uuid)
    profile = selectors.review_profile(review=review)
    return render(request, template, page_context(request, review, form=form, profile=profile))


@login_required
@require_http_methods(["GET", "POST"])
def review_submit(request, uuid):
    return _workflow_step(
        request,
        uuid,
        permission="frameworks.submit_review",
        form_class=SubmitForm,
        template="frameworks/review_submit.html",
        act=lambda review, form: services.review_submit(
            review=review,
            user=request.user,
            request_confirmation=form.cleaned_data["request_confirmation"],
        ),
        success="Review submitted",
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_share(request, uuid):
    """Share a draft with the school's EP, or stop sharing it. The page posts the state wanted
    (`share` yes or no), so a double submit does not flip it back."""
    wanted = request.POST.get("share")

    def act(review, form):
        if wanted not in ("yes", "no"):
            raise ValidationError("Choose whether to share the draft with your EP")
        services.review_share_with_ep(review=review, user=request.user, shared=wanted == "yes")

    return _workflow_step(
        request,
        uuid,
        permission="frameworks.share_review",
        form_class=None,
        template="frameworks/review_share.html",
        act=act,
        success="The draft is shared with your EP"
        if wanted == "yes"
        else "The draft is no longer shared with your EP",
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_request_confirmation(request, uuid):
    return _workflow_step(
        request,
        uuid,
        permission="frameworks.request_review_confirmation",
        form_class=None,
        template="frameworks/review_request_confirmation.html",
        act=lambda review, form: services.review_request_confirmation(
            review=review, user=request.user
        ),
        success="The headteacher has been asked to confirm the review",
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_confirm(request, uuid):
    return _workflow_step(
        request,
        uuid,
        permission="frameworks.confirm_review",
        form_class=None,
        template="frameworks/review_confirm.html",
        act=lambda review, form: services.review_confirm(review=review, user=request.user),
        success="Review confirmed",
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_reopen(request, uuid):
    return _workflow_step(
        request,
        uuid,
        permission="frameworks.reopen_review",
        form_class=ReopenForm,
        template="frameworks/review_reopen.html",
        act=lambda review, form: services.review_reopen(
            review=review, user=request.user, reason=form.cleaned_data["reason"]
        ),
        success="Review re-opened for changes",
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_close(request, uuid):
    return _workflow_step(
        request,
        uuid,
        permission="frameworks.close_review",
        form_class=CloseForm,
        template="frameworks/review_close.html",
        act=lambda review, form: services.review_close(
            review=review, user=request.user, note=form.cleaned_data["note"]
        ),
        success="Review closed",
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_discussion(request, uuid):
    """The EP or LA officer records the meeting: agreed ratings and comments beside the school's."""
    review = review_for(request, uuid, "frameworks.record_discussion")
    profile = selectors.review_profile(review=review)
    scale = profile.scale
    data = request.POST if request.method == "POST" else None
    conflict = ""
    form = DiscussionForm(
        data,
        initial={"discussion_notes": review.discussion_notes, "lock_version": review.lock_version},
    )
    entries = [
        {
            "row": row,
            "form": ModerationForm(
                data,
                item=row.item,
                scale=scale,
                initial={
                    "moderated_rating": row.response.moderated_rating,
                    "moderation_comment": row.response.moderation_comment,
                },
            ),
        }
        for row in profile.selected
    ]
    if request.method == "POST" and form.is_valid() and all(e["form"].is_valid() for e in entries):
        moderations = {
            e["row"].response.pk: services.Moderation(
                e["form"].cleaned_data["moderated_rating"],
                e["form"].cleaned_data["moderation_comment"],
            )
            for e in entries
        }
        try:
            services.review_record_discussion(
                review=review,
                expected_version=form.cleaned_data["lock_version"],
                user=request.user,
                notes=form.cleaned_data["discussion_notes"],
                moderations=moderations,
            )
        except services.ReviewConflictError:
            # Nothing was saved. Keep what the user typed on the page, with the newer saved record
            # shown beside it (re-read below), and let them save again deliberately.
            conflict = (
                f"{services.STALE_REVIEW}. Nothing you entered was saved. The record saved by "
                "the other person is shown beside each statement; your entries are kept in "
                "the form. Save again to replace theirs."
            )
            review = selectors.review_get(user=request.user, uuid=review.uuid)
            form.data = form.data.copy()
            form.data["lock_version"] = str(review.lock_version)
            profile = selectors.review_profile(review=review)
            saved = {r.response.pk: r.response for r in profile.selected}
            for entry in entries:
                entry["saved"] = saved.get(entry["row"].response.pk)
                if entry["saved"] is not None:
                    entry["saved_label"] = scale.label_for(entry["saved"].moderated_rating)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Discussion recorded")
            return redirect("frameworks:review-detail", uuid=review.uuid)
    prompts = review.framework_version.reflective_prompts or analysis.REFLECTIVE_PROMPTS
    return render(
        request,
        "frameworks/review_discussion.html",
        page_context(
            request,
            review,
            form=form,
            entries=entries,
            prompts=prompts,
            profile=profile,
            conflict=conflict,
            errors=[
                (e["form"], e["form"].errors)
                for e in entries
                if e["form"].is_bound and e["form"].errors
            ],
        ),
    )
