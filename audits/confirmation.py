"""The head's confirmation of a submitted return, when the LA asks for one (AuditPolicy).

A return submitted while the LA's policy says so waits for a headteacher of the school to confirm
it; until then the LA can neither query nor accept it. The requirement is stamped on the return at
submission: turning the policy on or off later changes nothing for a return already submitted.
A new submission (after a query or a re-opening) needs a new confirmation: the head confirms
figures, and the figures may have changed.
"""

from __future__ import annotations

from django.utils import timezone

NOT_REQUIRED = "Your LA does not ask the headteacher to confirm returns"
ALREADY_CONFIRMED = "The headteacher has already confirmed this return"
AWAITING_HEAD = "The headteacher must confirm this return before the LA can review it"


def head_must_confirm(la_id: int) -> bool:
    from audits.tracking import AuditPolicy

    return AuditPolicy.objects.filter(la_id=la_id, head_must_confirm=True).exists()


def on_submit(document, user) -> None:
    document.head_confirmation_required = head_must_confirm(document.school.la_id)
    document.head_confirmed_at = None
    document.head_confirmed_by = None


def awaiting_head(document) -> bool:
    return bool(document.head_confirmation_required and document.head_confirmed_at is None)


def confirmable(document) -> str | None:
    if not document.head_confirmation_required:
        return NOT_REQUIRED
    if document.head_confirmed_at is not None:
        return ALREADY_CONFIRMED
    return None


def confirmed(document, user) -> None:
    document.head_confirmed_at = timezone.now()
    document.head_confirmed_by = user if getattr(user, "pk", None) else None


def reviewable(document) -> str | None:
    return AWAITING_HEAD if awaiting_head(document) else None
