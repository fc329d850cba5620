"""The moderator's per-file findings, the provision and budget review and the visit record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audits.visits import selectors, services
from audits.visits.criteria import Rating
from audits.visits.forms import FileReviewForm, ProvisionForm, RecordForm
from audits.visits.views.common import (
    page_context,
    posted,
    versioned_save,
    visit_for,
    visit_form_page,
)


@login_required
@require_http_methods(["GET", "POST"])
def file_review(request, uuid, pupil_uuid):
    permission = (
        "audit_visits.edit_files" if request.method == "POST" else "audit_visits.view_sample"
    )
    visit = visit_for(request, uuid, permission)
    review = selectors.file_review_get(visit=visit, pupil_uuid=pupil_uuid)
    level = review.pupil.level
    form = FileReviewForm(posted(request), initial=FileReviewForm.initial_for(review), level=level)
    conflict = None
    if request.method == "POST" and form.is_valid():
        result = versioned_save(
            request,
            form,
            lambda version, fields: services.save_file_review(
                review=review, expected_version=version, user=request.user, fields=fields
            ),
            labels=[
                ("ratings", "Ratings"),
                ("reviews_on_file", "Reviews on file"),
                ("moderation", "Moderation"),
                ("comment", "Comment"),
            ],
            stored_values=lambda current: {
                "ratings": current.ratings,
                "reviews_on_file": current.reviews_on_file,
                "moderation": current.moderation,
                "comment": current.comment,
            },
        )
        if result is True:
            messages.success(request, f"Findings on {review.pupil.pseudonym} saved")
            return redirect("audit_visits:visit-sample", uuid=visit.uuid)
        conflict = result if isinstance(result, list) else None
    editable = request.user.has_perm("audit_visits.edit_files", visit)
    return render(
        request,
        "audit_visits/file_review.html",
        page_context(
            request,
            visit,
            form=form if editable else None,
            review=review,
            pupil=review.pupil,
            editable=editable,
            conflict=conflict,
            rows=_criteria_rows(review),
        ),
    )


def _criteria_rows(review):
    from audits.visits.criteria import criteria_for

    labels = dict(Rating.choices)
    return [
        {
            "criterion": c,
            "rating": labels.get((review.ratings.get(c.code) or {}).get("rating", ""), "Not rated"),
            "comment": (review.ratings.get(c.code) or {}).get("comment", ""),
        }
        for c in criteria_for(review.pupil.level)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def visit_provision(request, uuid):
    result = visit_form_page(
        request,
        uuid,
        permission="audit_visits.edit_files",
        view_permission="audit_visits.view_sample",
        form_class=ProvisionForm,
        template="audit_visits/visit_provision.html",
        success="Provision review saved",
    )
    if not isinstance(result, tuple):
        return result
    visit, form, conflict = result
    context = page_context(request, visit, conflict=conflict)
    context["editable"] = context["can"]["edit_files"]
    context["form"] = form if context["editable"] else None
    return render(request, "audit_visits/visit_provision.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_record(request, uuid):
    result = visit_form_page(
        request,
        uuid,
        permission="audit_visits.edit_record",
        view_permission="audit_visits.edit_record",
        form_class=RecordForm,
        template="audit_visits/visit_record.html",
        success="Visit record saved",
    )
    if not isinstance(result, tuple):
        return result
    visit, form, conflict = result
    if request.method == "GET" and not visit.budget_prefilled and visit.budget_allocation is None:
        figures = services.funding_figures(visit)
        if figures:
            form.initial.update(figures)
    context = page_context(request, visit, form=form, conflict=conflict)
    return render(request, "audit_visits/visit_record.html", context)
