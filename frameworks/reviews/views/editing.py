"""Filling a review in: a section's form (the whole section without JavaScript), the htmx
autosave of one statement, the conflict page of a refused save, and the overall judgement."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from frameworks.models import OverallJudgement, exemplar_entries
from frameworks.reviews import selectors, services
from frameworks.reviews.forms import (
    ConflictResolveForm,
    JudgementForm,
    ResponseForm,
)
from frameworks.reviews.views.common import (
    changed_by_user,
    conflict_for,
    conflict_url,
    forget_conflict,
    next_conflict_code,
    page_context,
    posted,
    remember_conflict,
    review_for,
    section_url,
)
from sendreview.access import require
from sendreview.documents.autosave import fragment

# --- filling in -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review_section(request, uuid, section_code):
    review = review_for(
        request,
        uuid,
        "frameworks.view_review_answers",
        related=selectors.REVIEW_CORE + selectors.REVIEW_PREFILL,  # the page names the prefill
    )
    sections = selectors.sections_of(review)
    section = next((s for s in sections if s.code == section_code), None)
    if section is None:
        raise Http404("No such section")
    editable = request.user.has_perm("frameworks.edit_review", review)
    if request.method == "POST" and not editable:
        require(request.user, "frameworks.edit_review", review)
    rows = selectors.review_rows(review=review, sections=[section], with_previous=True)
    scale = review.framework_version.rating_scale
    data = request.POST if request.method == "POST" else None
    entries = [
        {
            "row": row,
            "form": ResponseForm(
                data, item=row.item, scale=scale, initial=ResponseForm.initial_for(row.response)
            ),
        }
        for row in rows
    ]
    if request.method == "POST" and all(e["form"].is_valid() for e in entries):
        edits = []
        for entry in entries:
            form, response = entry["form"], entry["row"].response
            values, expected = form.values(), form.cleaned_data["lock_version"]
            if changed_by_user(response, values, expected):
                response.item = entry["row"].item  # read already: clean() checks against it
                edits.append(services.ResponseEdit(response, expected, values))
        try:
            refused = services.responses_save(review=review, user=request.user, edits=edits)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return redirect("frameworks:review-detail", uuid=review.uuid)
        conflicts = []
        for stale in refused:
            edit = stale.edit
            remember_conflict(request, review, edit.response, edit.values, edit.expected_version)
            conflicts.append(edit.response.item.code)
        if conflicts:
            return redirect(conflict_url(review, conflicts[0]))
        messages.success(request, f"{section.title}: saved")
        return redirect("frameworks:review-detail", uuid=review.uuid)
    index = sections.index(section)
    return render(
        request,
        "frameworks/review_section.html",
        page_context(
            request,
            review,
            section=section,
            entries=entries,
            editable=editable,
            errors=[
                (e["form"], e["form"].errors)
                for e in entries
                if e["form"].is_bound and e["form"].errors
            ],
            previous_section=sections[index - 1] if index > 0 else None,
            next_section=sections[index + 1] if index + 1 < len(sections) else None,
            section_number=index + 1,
            section_count=len(sections),
            prefilled_from=review.prefilled_from,
        ),
    )


@transaction.non_atomic_requests
@login_required
@require_POST
def response_autosave(request, uuid, item_code):
    """Save the fields of one statement that the POST carries (htmx: the inputs that changed and
    the lock version). 200 "Saved at HH:MM" with the new version, 409 on a conflict, 422 when a
    value is not allowed. Without htmx it redirects back to the section.

    The hot path of the review form (QUALITY.md P4): one query reads the response with its item
    and its review (row locked), one conditional UPDATE claims the version and writes, one INSERT
    keeps the history; the short transaction ends before the reply is rendered, and the reply is
    a fragment rendered without the request's context processors.
    """
    outcome, error = "saved", ""
    with transaction.atomic():
        response = selectors.response_for_autosave(review_uuid=uuid, item_code=item_code)
        review = response.review
        require(request.user, "frameworks.edit_review", review)
        form = ResponseForm(
            request.POST, item=response.item, scale=review.framework_version.rating_scale
        )
        if not form.is_valid():
            outcome, error = "invalid", _first_error(form)
        else:
            changes = form.posted_changes(request.POST, response)
            expected = form.cleaned_data["lock_version"]
            stored = {name: getattr(response, name) for name in changes}
            if changes == stored:
                # Nothing to write (a key press that changed nothing, or the same value saved
                # elsewhere). The page may adopt the version only if it is the one it had.
                outcome = "unchanged" if expected == response.lock_version else "same"
            else:
                try:
                    services.response_autosave(
                        response=response,
                        expected_version=expected,
                        user=request.user,
                        changes=changes,
                    )
                except services.ConflictError as conflict:
                    outcome, response = "conflict", conflict.current
                    full = {**services.response_values(response), **changes}
                except ValidationError as exc:
                    outcome, error = "invalid", "; ".join(exc.messages)
    if outcome == "conflict":
        # Kept in the session until the user chooses on the conflict page.
        remember_conflict(request, review, response, full, expected, item_code=item_code)
    elif outcome != "invalid":
        forget_conflict(request, review, item_code)
    if not request.htmx:
        if outcome == "conflict":
            return redirect(conflict_url(review, item_code))
        if outcome == "invalid":
            messages.error(request, "Not saved: " + error)
        back = section_url(review, _section_code(response)) + f"#item-{item_code}"
        return redirect(back)
    return fragment(
        "frameworks/review_autosave_status.html",
        {
            "response": response,
            "item_code": item_code,
            "saved_at": timezone.localtime(response.updated_at) if response.updated_at else None,
            "error": error,
            "conflict_url": conflict_url(review, item_code) if outcome == "conflict" else "",
            # A refused save keeps the version the page has: the user must resolve, not overwrite.
            "send_version": outcome in ("saved", "unchanged"),
        },
        status={"conflict": 409, "invalid": 422}.get(outcome, 200),
    )


def _section_code(response) -> str:
    from frameworks.models import Section

    return Section.objects.only("code").get(pk=response.item.section_id).code


def _first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return "Check your answers"


@login_required
@require_http_methods(["GET", "POST"])
def review_conflict(request, uuid, item_code):
    """Someone saved this item after you loaded it: see both versions, choose which to keep."""
    review = review_for(request, uuid, "frameworks.edit_review")
    response = selectors.response_get(review=review, item_code=item_code)
    stored = conflict_for(request, review, item_code)
    if stored is None:
        messages.info(request, "There are no unsaved changes for this statement")
        return redirect(section_url(review, response.item.section.code))
    scale = review.framework_version.rating_scale
    form = ConflictResolveForm(posted(request), initial={"lock_version": response.lock_version})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["choice"] == "theirs":
            forget_conflict(request, review, item_code)
            messages.success(request, "Your changes were discarded; the saved version is kept")
            return _after_conflict(request, review, response)
        edit = services.ResponseEdit(response, form.cleaned_data["lock_version"], stored["values"])
        try:
            refused = services.responses_save(review=review, user=request.user, edits=[edit])
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return redirect("frameworks:review-detail", uuid=review.uuid)
        if refused:
            messages.error(
                request,
                "It has been changed again since. Look at the newest version and choose again.",
            )
            return redirect(conflict_url(review, item_code))
        forget_conflict(request, review, item_code)
        messages.success(request, "Your version is saved")
        return _after_conflict(request, review, response)
    mine, theirs = stored["values"], services.response_values(response)
    return render(
        request,
        "frameworks/review_conflict.html",
        page_context(
            request,
            review,
            response=response,
            form=form,
            rows=_conflict_rows(scale, response.item, mine, theirs),
            section_url=section_url(review, response.item.section.code),
        ),
        status=409 if request.method == "GET" else 200,
    )


def _after_conflict(request, review, response):
    code = next_conflict_code(request, review)
    if code:
        return redirect(conflict_url(review, code))
    return redirect(section_url(review, response.item.section.code))


def _conflict_rows(scale, item, mine: dict, theirs: dict) -> list[dict]:
    texts = {key: text for key, _, text in exemplar_entries(item)}

    def show(name, value):
        if name in ("current_rating", "target_rating"):
            return scale.label_for(value) or "Not rated"
        if name == "exemplar_marks":
            return "\n".join(f"{texts.get(k, k)}: {v}" for k, v in value.items()) or "None marked"
        if name == "own_evidence":
            return "\n".join(value) or "None"
        if name == "selected_for_discussion":
            return "Yes" if value else "No"
        return value or "None"

    labels = [
        ("current_rating", "Current rating"),
        ("target_rating", "Target rating"),
        ("evidence", "Evidence"),
        ("exemplar_marks", "Examples marked"),
        ("own_evidence", "Your own evidence"),
        ("selected_for_discussion", "Selected for discussion"),
    ]
    return [
        {
            "label": label,
            "theirs": show(name, theirs.get(name)),
            "mine": show(name, mine.get(name)),
            "differs": theirs.get(name) != mine.get(name),
        }
        for name, label in labels
        if name != "target_rating" or scale.asks_target
    ]


@login_required
@require_http_methods(["GET", "POST"])
def review_judgement(request, uuid):
    review = review_for(request, uuid, "frameworks.edit_review")
    form = JudgementForm(
        posted(request),
        initial={
            "overall_judgement": review.overall_judgement,
            "lock_version": review.lock_version,
        },
    )
    conflict = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.review_set_judgement(
                review=review,
                expected_version=form.cleaned_data["lock_version"],
                user=request.user,
                overall_judgement=form.cleaned_data["overall_judgement"],
            )
        except services.ReviewConflictError:
            # Show the saved judgement with the new version: the user chooses again, knowingly.
            review.refresh_from_db()
            wanted = form.cleaned_data["overall_judgement"]
            conflict = (
                f"{services.STALE_REVIEW}. The saved judgement is shown below; you chose "
                f"{OverallJudgement(wanted).label if wanted else 'no judgement'}. Choose again and save."
            )
            form = JudgementForm(
                initial={
                    "overall_judgement": review.overall_judgement,
                    "lock_version": review.lock_version,
                }
            )
        else:
            messages.success(request, "Overall judgement saved")
            return redirect("frameworks:review-detail", uuid=review.uuid)
    return render(
        request,
        "frameworks/review_judgement.html",
        page_context(request, review, form=form, conflict=conflict),
    )
