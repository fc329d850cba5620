"""Work-plan pages: thin views (selector → form → service → redirect).

Objects are fetched through the scoped managers (outside the scope: 404) and the permission is
checked on the object (inside the scope without the right: 403). A page that saves several rows
saves all or none: a stale row (someone saved it since the page was loaded) rolls the whole post
back and the page comes back with what the user typed and what is now stored side by side.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from schools import selectors as school_selectors
from sendreview.access import require
from sendreview.roles import workplan_side
from workplans import forms, selectors, services
from workplans.kit import ConflictError, TransitionNotAllowed, history_of
from workplans.models import PlanAction, PlanItem, WorkPlan

HISTORY_SHOWN = 200
STALE = (
    "Someone else saved this plan while you were working on it. Nothing you entered was saved. "
    "What they saved is shown beside your entries; save again to replace theirs."
)
STALE_AGREE = (
    "The plan changed since you read it, so your agreement was not recorded. Read the changes "
    "below, then agree again if you still do."
)

ACTIONS = {
    "edit": "workplans.edit_workplan",
    "share": "workplans.share_workplan",
    "propose": "workplans.propose_workplan",
    "agree": "workplans.agree_workplan",
    "reopen": "workplans.reopen_workplan",
    "start_review": "workplans.start_workplan_review",
    "review": "workplans.review_workplan",
    "reopen_review": "workplans.reopen_workplan_review",
    "carry_forward": "workplans.carry_forward_workplan",
    "request_report": "reports.request_report",
}


def posted(request):
    return request.POST if request.method == "POST" else None


def plan_for(request, uuid, permission: str) -> WorkPlan:
    plan = selectors.plan_get(user=request.user, uuid=uuid)
    require(request.user, permission, plan)
    return plan


def school_for(request, school_uuid, permission: str):
    school = school_selectors.school_get(user=request.user, uuid=school_uuid)
    require(request.user, permission, school)
    return school


def context(request, plan, **extra) -> dict:
    return {
        "plan": plan,
        "school": plan.school,
        "can": {name: request.user.has_perm(perm, plan) for name, perm in ACTIONS.items()},
        "side": workplan_side(request.user),
        **extra,
    }


def _back(plan):
    return redirect("workplans:plan-detail", uuid=plan.uuid)


# --- list, start, detail, history --------------------------------------------------------------------


@login_required
@require_GET
def plan_list(request, school_uuid):
    school = school_for(request, school_uuid, "workplans.view_workplan_list")
    return render(
        request,
        "workplans/plan_list.html",
        {
            "school": school,
            "rows": selectors.plan_list(user=request.user, school=school),
            "can_start": request.user.has_perm("workplans.start_workplan", school),
            "can_view_time": request.user.has_perm("workplans.view_ep_time", school),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_start(request, school_uuid):
    school = school_for(request, school_uuid, "workplans.start_workplan")
    from frameworks.models import SelfReview

    reviews = list(
        SelfReview.objects.filter(school=school)
        .exclude(status="draft")
        .select_related("framework_version__framework", "academic_year")
        .order_by("-academic_year__start_year", "-round")
    )
    years = selectors.years_of(school)
    form = forms.StartForm(
        posted(request),
        years=years,
        reviews=reviews,
        current_year=next((y for y in years if y.is_current), None),
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_start(
                school=school,
                academic_year=form.cleaned_data["year"],
                user=request.user,
                self_review=form.cleaned_data["review"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{plan.title} started")
            return _back(plan)
    return render(request, "workplans/plan_start.html", {"school": school, "form": form})


@login_required
@require_GET
def plan_detail(request, uuid):
    plan = plan_for(request, uuid, "workplans.view_workplan")
    view = selectors.plan_view(plan)
    return render(
        request,
        "workplans/plan_detail.html",
        context(request, plan, view=view, events=selectors.plan_events(plan)),
    )


@login_required
@require_GET
def plan_history(request, uuid):
    plan = plan_for(request, uuid, "workplans.view_workplan")
    records = list(history_of(plan).select_related("history_user")[:HISTORY_SHOWN])
    changes = selectors.changes_since(plan, 1) if records else []
    return render(
        request,
        "workplans/plan_history.html",
        context(
            request,
            plan,
            records=records,
            changes=list(reversed(changes)),
            events=selectors.plan_events(plan),
        ),
    )


# --- Part A: the meeting record ------------------------------------------------------------------------


def _stale_row_changed(model, row, values: dict, expected: int) -> bool:
    """Did the user change this row on their page? Compared with the row as they loaded it."""
    if expected == row.lock_version:
        return any(getattr(row, k) != v for k, v in values.items())
    base = model.history.filter(id=row.pk, lock_version=expected).order_by("-history_date").first()
    if base is None:
        return True
    return any(getattr(base, k) != v for k, v in values.items())


@login_required
@require_http_methods(["GET", "POST"])
def plan_meeting(request, uuid):
    plan = plan_for(request, uuid, "workplans.edit_workplan")
    items = selectors.plan_items(plan)
    data = posted(request)
    header = forms.MeetingForm(
        data,
        initial={
            "meeting_date": plan.meeting_date,
            "school_participants": plan.school_participants,
            "meeting_notes": plan.meeting_notes,
            "link_role": plan.link_role,
            "lock_version": plan.lock_version,
        },
    )
    scale = selectors.plan_scale(plan)

    def label(value):
        return scale.label_for(value) if scale and value is not None else ""

    entries = [
        {
            "item": item,
            "school": label(item.school_rating),
            "target": label(item.target_rating),
            "moderated": label(item.moderated_rating),
            "form": forms.ItemMeetingForm(
                data,
                item=item,
                initial={
                    "how_would_i_know": item.how_would_i_know,
                    "improve_by_one_point": item.improve_by_one_point,
                    "is_area": item.is_area,
                    "lock_version": item.lock_version,
                },
            ),
        }
        for item in items
    ]
    conflict = ""
    if (
        request.method == "POST"
        and header.is_valid()
        and all(e["form"].is_valid() for e in entries)
    ):
        try:
            with transaction.atomic():
                _save_meeting(request, plan, header, entries)
        except ConflictError:
            conflict = STALE
            plan = selectors.plan_get(user=request.user, uuid=plan.uuid)
            fresh = {i.pk: i for i in selectors.plan_items(plan)}
            header.data = header.data.copy()
            header.data["lock_version"] = str(plan.lock_version)
            for entry in entries:
                saved = fresh.get(entry["item"].pk)
                entry["saved"] = saved
                if saved is not None:
                    entry["form"].data = entry["form"].data.copy()
                    entry["form"].data[entry["form"].add_prefix("lock_version")] = str(
                        saved.lock_version
                    )
            header.saved = plan
        except ValidationError as exc:
            header.add_error(None, exc)
        else:
            messages.success(request, "Meeting record saved")
            return _back(plan)
    errors = [e["form"] for e in entries if e["form"].is_bound and e["form"].errors]
    return render(
        request,
        "workplans/plan_meeting.html",
        context(
            request,
            plan,
            form=header,
            entries=entries,
            errors=errors,
            conflict=conflict,
            prompts=[forms.HOW_WOULD_I_KNOW, forms.IMPROVE_BY_ONE_POINT],
            scale=scale,
        ),
    )


def _save_meeting(request, plan, header, entries) -> None:
    """The header first (from the version the page was loaded at), then each item the user
    changed; every item save moves the plan's version on, under the plan's row lock."""
    user = request.user
    values = {
        k: header.cleaned_data[k]
        for k in ("meeting_date", "school_participants", "meeting_notes", "link_role")
    }
    expected = header.cleaned_data["lock_version"]
    if _stale_row_changed(WorkPlan, plan, values, expected):
        services.plan_meeting_save(plan=plan, expected_version=expected, user=user, **values)
    for entry in entries:
        item, form = entry["item"], entry["form"]
        values = {
            k: form.cleaned_data[k] for k in ("how_would_i_know", "improve_by_one_point", "is_area")
        }
        expected = form.cleaned_data["lock_version"]
        if _stale_row_changed(PlanItem, item, values, expected):
            services.plan_item_save(item=item, expected_version=expected, user=user, **values)


@login_required
@require_http_methods(["GET", "POST"])
def item_add(request, uuid):
    plan = plan_for(request, uuid, "workplans.edit_workplan")
    candidates = selectors.candidates(plan)
    form = forms.AddItemForm(posted(request), candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_item_add(
                plan=plan,
                user=request.user,
                item=form.cleaned_data["item_obj"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Added to the plan")
            return redirect("workplans:plan-meeting", uuid=plan.uuid)
    return render(request, "workplans/item_add.html", context(request, plan, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def item_remove(request, uuid, item_uuid):
    plan = plan_for(request, uuid, "workplans.edit_workplan")
    item = selectors.item_get(plan=plan, uuid=item_uuid)
    form = forms.ConfirmForm(
        posted(request), submit_label="Remove it", initial={"lock_version": item.lock_version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_item_remove(
                item=item, expected_version=form.cleaned_data["lock_version"], user=request.user
            )
        except ConflictError:
            form.add_error(None, "Someone changed this item since you opened the page. Look again.")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Removed from the plan")
            return _back(plan)
    return render(
        request, "workplans/item_remove.html", context(request, plan, form=form, item=item)
    )


# --- Part B: actions ---------------------------------------------------------------------------------------


def _areas(plan):
    return [i for i in selectors.plan_items(plan) if i.is_area]


@login_required
@require_http_methods(["GET", "POST"])
def action_add(request, uuid):
    plan = plan_for(request, uuid, "workplans.edit_workplan")
    areas = _areas(plan)
    initial = {"ep_sessions": 0}
    if request.GET.get("area"):
        initial["area"] = request.GET["area"]
    form = forms.ActionForm(posted(request), areas=areas, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_add(plan=plan, user=request.user, **form.values())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Action added")
            return _back(plan)
    return render(
        request, "workplans/action_form.html", context(request, plan, form=form, areas=areas)
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, uuid, action_uuid):
    plan = plan_for(request, uuid, "workplans.edit_workplan")
    action = selectors.action_get(plan=plan, uuid=action_uuid)
    areas = _areas(plan)
    initial = {
        "area": str(action.area.uuid),
        **{
            name: getattr(action, name)
            for name in (
                "description",
                "strand",
                "lead_kind",
                "lead",
                "resources",
                "ep_sessions",
                "due_term",
                "due_date",
                "success_criteria",
                "monitoring",
                "triage",
            )
        },
        "lock_version": action.lock_version,
    }
    form = forms.ActionForm(posted(request), areas=areas, initial=initial)
    saved = None
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data.get("lock_version") or 0
        try:
            services.action_save(
                action=action, expected_version=expected, user=request.user, **form.values()
            )
        except ConflictError as exc:
            saved = exc.current
            form.data = form.data.copy()
            form.data["lock_version"] = str(saved.lock_version)
            form.add_error(None, STALE)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Action saved")
            return _back(plan)
    return render(
        request,
        "workplans/action_form.html",
        context(request, plan, form=form, action=action, saved=saved, areas=areas),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_remove(request, uuid, action_uuid):
    plan = plan_for(request, uuid, "workplans.edit_workplan")
    action = selectors.action_get(plan=plan, uuid=action_uuid)
    form = forms.ConfirmForm(
        posted(request),
        submit_label="Remove the action",
        initial={"lock_version": action.lock_version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_remove(
                action=action, expected_version=form.cleaned_data["lock_version"], user=request.user
            )
        except ConflictError:
            form.add_error(
                None, "Someone changed this action since you opened the page. Look again."
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Action removed")
            return _back(plan)
    return render(
        request, "workplans/action_remove.html", context(request, plan, form=form, action=action)
    )


# --- Part C: the workflow ---------------------------------------------------------------------------------


def _step(
    request,
    uuid,
    *,
    permission,
    template,
    act,
    success,
    form_class=forms.ConfirmForm,
    submit_label="Continue",
):
    plan = plan_for(request, uuid, permission)
    form = form_class(
        posted(request), submit_label=submit_label, initial={"lock_version": plan.lock_version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            act(plan, form)
        except ConflictError:
            form.add_error(None, "The plan changed since you opened this page. Look again.")
        except (TransitionNotAllowed, ValidationError) as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success)
            return _back(plan)
    view = selectors.plan_view(plan)
    return render(request, template, context(request, plan, form=form, view=view))


@login_required
@require_http_methods(["GET", "POST"])
def plan_share(request, uuid):
    return _step(
        request,
        uuid,
        permission="workplans.share_workplan",
        template="workplans/plan_share.html",
        act=lambda plan, form: services.plan_share(plan=plan, user=request.user),
        success="Draft shared with the EP and the local authority",
        submit_label="Share the draft",
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_propose(request, uuid):
    return _step(
        request,
        uuid,
        permission="workplans.propose_workplan",
        template="workplans/plan_propose.html",
        act=lambda plan, form: services.plan_propose(plan=plan, user=request.user),
        success="Plan proposed for agreement",
        submit_label="Propose the plan",
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_agree(request, uuid):
    plan = plan_for(request, uuid, "workplans.agree_workplan")
    form = forms.ConfirmForm(
        posted(request), submit_label="Agree the plan", initial={"lock_version": plan.lock_version}
    )
    changes = None
    if request.method == "POST" and form.is_valid():
        read = form.cleaned_data["lock_version"]
        try:
            services.plan_agree(plan=plan, user=request.user, expected_version=read)
        except ConflictError:
            plan = selectors.plan_get(user=request.user, uuid=plan.uuid)
            changes = selectors.changes_since(plan, read)
            form.data = form.data.copy()
            form.data["lock_version"] = str(plan.lock_version)
            form.add_error(None, STALE_AGREE)
            if not request.user.has_perm("workplans.agree_workplan", plan):
                raise PermissionDenied("workplans.agree_workplan") from None
        except (TransitionNotAllowed, ValidationError) as exc:
            form.add_error(None, exc)
        else:
            plan = selectors.plan_get(user=request.user, uuid=plan.uuid)
            messages.success(
                request,
                "Plan agreed by both: it is now frozen"
                if plan.is_agreed
                else "Your agreement is recorded. The plan is agreed once the other side agrees too.",
            )
            return _back(plan)
    return render(
        request,
        "workplans/plan_agree.html",
        context(request, plan, form=form, view=selectors.plan_view(plan), changes=changes),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_reopen(request, uuid):
    return _step(
        request,
        uuid,
        permission="workplans.reopen_workplan",
        template="workplans/plan_reopen.html",
        form_class=forms.ReasonForm,
        act=lambda plan, form: services.plan_reopen(
            plan=plan, user=request.user, reason=form.cleaned_data["reason"]
        ),
        success="Plan re-opened: both sides need to agree it again",
        submit_label="Re-open the plan",
    )


# --- Part D: the June/July review --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review_start(request, uuid):
    return _step(
        request,
        uuid,
        permission="workplans.start_workplan_review",
        template="workplans/review_start.html",
        act=lambda plan, form: services.plan_start_review(plan=plan, user=request.user),
        success="June/July review started",
        submit_label="Start the review",
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_review(request, uuid):
    plan = plan_for(request, uuid, "workplans.review_workplan")
    view = selectors.plan_view(plan)
    data = posted(request)
    header = forms.PlanReviewForm(
        data,
        initial={
            "review_date": plan.review_date,
            "review_summary": plan.review_summary,
            "lock_version": plan.lock_version,
        },
    )
    action_entries = [
        {
            "action": a,
            "form": forms.ActionReviewForm(
                data,
                action=a,
                initial={
                    "outcome": a.outcome,
                    "impact_evidence": a.impact_evidence,
                    "carry_forward": a.carry_forward,
                    "lock_version": a.lock_version,
                },
            ),
        }
        for a in view.actions
    ]
    item_entries = [
        {
            "row": row,
            "form": forms.ItemReviewForm(
                data,
                item=row["item"],
                scale=view.scale,
                initial={
                    "rating_at_review": row["item"].rating_at_review,
                    "lock_version": row["item"].lock_version,
                },
            ),
        }
        for row in view.rows()
        if view.scale is not None and row["item"].item_id
    ]
    forms_all = [header] + [e["form"] for e in action_entries + item_entries]
    conflict = ""
    if request.method == "POST" and all(f.is_valid() for f in forms_all):
        try:
            with transaction.atomic():
                _save_review(request, plan, header, action_entries, item_entries)
        except ConflictError:
            conflict = STALE
            fresh_plan = selectors.plan_get(user=request.user, uuid=plan.uuid)
            fresh = selectors.plan_view(fresh_plan)
            actions = {a.pk: a for a in fresh.actions}
            items = {i.pk: i for i in fresh.items}
            _refresh_version(header, fresh_plan.lock_version)
            for e in action_entries:
                e["saved"] = actions.get(e["action"].pk)
                if e["saved"]:
                    _refresh_version(e["form"], e["saved"].lock_version)
            for e in item_entries:
                e["saved"] = items.get(e["row"]["item"].pk)
                if e["saved"]:
                    e["saved_label"] = fresh.label(e["saved"].rating_at_review)
                    _refresh_version(e["form"], e["saved"].lock_version)
        except ValidationError as exc:
            header.add_error(None, exc)
        else:
            messages.success(request, "Review saved")
            return _back(plan)
    errors = [f for f in forms_all[1:] if f.is_bound and f.errors]
    return render(
        request,
        "workplans/plan_review.html",
        context(
            request,
            plan,
            view=view,
            form=header,
            action_entries=action_entries,
            item_entries=item_entries,
            errors=errors,
            conflict=conflict,
        ),
    )


def _refresh_version(form, version: int) -> None:
    form.data = form.data.copy()
    form.data[form.add_prefix("lock_version")] = str(version)


def _save_review(request, plan, header, action_entries, item_entries) -> None:
    user = request.user
    for e in action_entries:
        form = e["form"]
        values = {k: form.cleaned_data[k] for k in ("outcome", "impact_evidence", "carry_forward")}
        expected = form.cleaned_data["lock_version"]
        if _stale_row_changed(PlanAction, e["action"], values, expected):
            services.action_review_save(
                action=e["action"], expected_version=expected, user=user, **values
            )
    for e in item_entries:
        form = e["form"]
        values = {"rating_at_review": form.cleaned_data["rating_at_review"]}
        expected = form.cleaned_data["lock_version"]
        if _stale_row_changed(PlanItem, e["row"]["item"], values, expected):
            services.item_review_save(
                item=e["row"]["item"], expected_version=expected, user=user, **values
            )
    values = {k: header.cleaned_data[k] for k in ("review_date", "review_summary")}
    if _stale_row_changed(WorkPlan, plan, values, header.cleaned_data["lock_version"]):
        services.plan_review_save(
            plan=plan, expected_version=header.cleaned_data["lock_version"], user=user, **values
        )


@login_required
@require_http_methods(["GET", "POST"])
def review_complete(request, uuid):
    return _step(
        request,
        uuid,
        permission="workplans.review_workplan",
        template="workplans/review_complete.html",
        act=lambda plan, form: services.plan_complete_review(plan=plan, user=request.user),
        success="Review completed",
        submit_label="Complete the review",
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_reopen(request, uuid):
    return _step(
        request,
        uuid,
        permission="workplans.reopen_workplan_review",
        template="workplans/plan_reopen.html",
        form_class=forms.ReasonForm,
        act=lambda plan, form: services.plan_reopen_review(
            plan=plan, user=request.user, reason=form.cleaned_data["reason"]
        ),
        success="Review re-opened",
        submit_label="Re-open the review",
    )


@login_required
@require_http_methods(["GET", "POST"])
def carry_forward(request, uuid):
    plan = plan_for(request, uuid, "workplans.carry_forward_workplan")
    form = forms.ConfirmForm(
        posted(request),
        submit_label="Start next year's draft",
        initial={"lock_version": plan.lock_version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = services.plan_carry_forward(plan=plan, user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{new.title} started with the carried-forward actions")
            return redirect("workplans:plan-detail", uuid=new.uuid)
    return render(
        request,
        "workplans/carry_forward.html",
        context(request, plan, form=form, view=selectors.plan_view(plan)),
    )
