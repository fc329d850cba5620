"""Part A: the meeting record and the plan's items."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from workplans import forms, selectors, services
from workplans.kit import ConflictError
from workplans.models import PlanItem, WorkPlan
from workplans.views.common import STALE, back, context, plan_for, posted, stale_row_changed


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
            return back(plan)
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
    if stale_row_changed(WorkPlan, plan, values, expected):
        services.plan_meeting_save(plan=plan, expected_version=expected, user=user, **values)
    for entry in entries:
        item, form = entry["item"], entry["form"]
        values = {
            k: form.cleaned_data[k] for k in ("how_would_i_know", "improve_by_one_point", "is_area")
        }
        expected = form.cleaned_data["lock_version"]
        if stale_row_changed(PlanItem, item, values, expected):
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
            return back(plan)
    return render(
        request, "workplans/item_remove.html", context(request, plan, form=form, item=item)
    )
