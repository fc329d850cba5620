"""The school's pupil list and the stratified sample the moderator reads, with swaps."""

from __future__ import annotations

import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.visits.criteria import BROAD_AREA, Level
from audits.visits.models import (
    AuditVisit,
    FileReview,
    SamplePolicy,
    SwapRequest,
    VisitPupil,
)
from audits.visits.services.common import step
from sendreview.documents.locking import locked

MODERATOR_LEVELS_BY_POLICY = {
    SamplePolicy.HISTORIC: ((Level.SCHOOL_ACTION, 2), (Level.SCHOOL_ACTION_PLUS, 2)),
    SamplePolicy.CURRENT: ((Level.SEN_SUPPORT, 4),),
}


def add_pupil(*, visit, user, **fields) -> VisitPupil:
    if not visit.pupils_editable:
        raise ValidationError("The sample has been drawn: the list can no longer change")
    pupil = VisitPupil(visit=visit, **fields)
    pupil.full_clean()
    pupil.save()
    return pupil


def remove_pupil(*, pupil, user) -> None:
    if not pupil.visit.pupils_editable:
        raise ValidationError("The sample has been drawn: the list can no longer change")
    pupil.delete()


def sample_quota(visit) -> list[tuple[str, int]]:
    quota: list[tuple[str, int]] = list(MODERATOR_LEVELS_BY_POLICY[visit.sample_policy])
    if visit.ehc_plans_in_sample:
        quota.append((Level.EHC_PLAN, visit.ehc_plans_in_sample))
    return quota


def _scorer(areas, needs, years, vulnerable_yet):
    def score(p):
        return (
            (3 if BROAD_AREA.get(p.primary_need) not in areas else 0)
            + (1 if p.primary_need not in needs else 0)
            + (1 if p.year_group not in years else 0)
            + (2 if p.is_vulnerable and not vulnerable_yet else 0)
        )

    return score


def choose_sample(pupils: list, quota: list[tuple[str, int]], rng: random.Random) -> list:
    """Stratified per PROCESSES.md §4.4: per level its quota, spread over broad areas of need and
    year groups, at least one pupil from a vulnerable group when the list has one.

    Greedy: each pick takes the candidate that adds most new strata (ties broken at random).
    """
    chosen: list = []
    for level, count in quota:
        candidates = [p for p in pupils if p.level == level]
        rng.shuffle(candidates)
        picked: list = []
        while candidates and len(picked) < count:
            areas = {BROAD_AREA.get(p.primary_need) for p in picked}
            needs = {p.primary_need for p in picked}
            years = {p.year_group for p in picked}
            vulnerable_yet = any(p.is_vulnerable for p in chosen + picked)
            score = _scorer(areas, needs, years, vulnerable_yet)
            best = max(candidates, key=score)  # max keeps the first (shuffled) of equals
            candidates.remove(best)
            picked.append(best)
        chosen += picked
    return chosen


@transaction.atomic
def draw_sample(*, visit, user, seed: int | None = None) -> AuditVisit:
    current = locked(visit)
    pupils = list(VisitPupil.objects.filter(visit=current).order_by("pk"))
    quota = sample_quota(current)
    chosen = choose_sample(pupils, quota, random.Random(seed))
    if not chosen:
        levels = ", ".join(Level(level).label for level, _ in quota)
        raise ValidationError(f"The school has listed no pupils at {levels} yet")
    wanted = sum(n for _, n in quota)
    for order, pupil in enumerate(chosen, start=1):
        pupil.in_sample = True
        pupil.sample_order = order
    VisitPupil.objects.bulk_update(chosen, ["in_sample", "sample_order"])
    FileReview.objects.bulk_create([FileReview(pupil=p, updated_by=user) for p in chosen])
    note = (
        "" if len(chosen) == wanted else f"{len(chosen)} of {wanted} files: too few pupils listed"
    )
    return step(
        current, "draw_sample", user=user, reason=note, changes={"sample_drawn_at": timezone.now()}
    )


def request_swap(*, visit, pupil, user, reason: str) -> SwapRequest:
    if not pupil.in_sample or pupil.visit_id != visit.pk:
        raise ValidationError({"pupil": "Choose a pupil in the sample"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the pupil should be replaced"})
    if SwapRequest.objects.filter(visit=visit, pupil=pupil, approved__isnull=True).exists():
        raise ValidationError({"pupil": "A swap of this pupil is already waiting for the officer"})
    swap = SwapRequest.objects.create(
        visit=visit, pupil=pupil, reason=reason.strip(), requested_by=user
    )
    visit.record_event(
        "swap_requested", user, reason, from_status=visit.status, to_status=visit.status
    )
    return swap


@transaction.atomic
def decide_swap(*, swap, user, approve: bool, seed: int | None = None) -> SwapRequest:
    """Only the officer's consent changes the sample: the replacement is drawn like the sample."""
    if swap.approved is not None:
        raise ValidationError("This request has been decided already")
    visit = locked(swap.visit)
    swap.approved = approve
    swap.decided_by = user
    swap.decided_at = timezone.now()
    if approve:
        pupils = list(VisitPupil.objects.filter(visit=visit).order_by("pk"))
        others = [p for p in pupils if not p.in_sample]
        out = next(p for p in pupils if p.pk == swap.pupil_id)
        picked = choose_sample(others, [(out.level, 1)], random.Random(seed))
        if not picked:
            raise ValidationError("No other pupil at this level is listed: the file stays")
        new = picked[0]
        new.in_sample, new.sample_order = True, out.sample_order
        out.in_sample, out.sample_order = False, 0
        VisitPupil.objects.bulk_update([new, out], ["in_sample", "sample_order"])
        FileReview.objects.filter(pupil=out).delete()
        FileReview.objects.create(pupil=new, updated_by=user)
        swap.replacement = new
    swap.save()
    visit.record_event(
        "swap_approved" if approve else "swap_refused",
        user,
        swap.reason,
        from_status=visit.status,
        to_status=visit.status,
    )
    return swap
