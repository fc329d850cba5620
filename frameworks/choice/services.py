"""Writes about an LA's choice of the frameworks its schools review against."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from frameworks.choice.models import LAFramework

# --- the LA's choice of frameworks -------------------------------------------------------------------

NOT_PUBLISHED = "Choose frameworks that have a published version"


@transaction.atomic
def la_frameworks_set(*, la, frameworks, user=None) -> list:
    """Make `frameworks` exactly the LA's chosen ones (none chosen: every published one is offered).

    Rows are added and removed one by one so that each change is kept in the history with who made
    it. Returns the chosen frameworks, by name.
    """
    wanted = {fw.pk: fw for fw in frameworks}
    unpublished = [fw for fw in wanted.values() if not fw.versions.exists()]
    if unpublished:
        raise ValidationError({"frameworks": NOT_PUBLISHED})
    existing = {
        row.framework_id: row for row in LAFramework.objects.select_for_update().filter(la=la)
    }
    for framework_id, row in existing.items():
        if framework_id not in wanted:
            row._history_user = user
            row.delete()
    for framework_id, framework in wanted.items():
        if framework_id not in existing:
            row = LAFramework(la=la, framework=framework)
            row.full_clean()
            row._history_user = user
            row.save()
    return sorted(wanted.values(), key=lambda fw: fw.name)
