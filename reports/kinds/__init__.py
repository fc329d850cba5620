"""Report kinds: what a report is about, how its content is gathered, which template draws it.

A kind is a small class registered here by its code. The machinery (services, the one Celery task,
rendering, views) knows nothing else about reports. To add a kind:

1. write `templates/pdf/<name>.html` extending `pdf/base.html` (all user text through normal
   auto-escaping; no `|safe` on anything a person typed);
2. subclass ReportKind in `reports/kinds/<name>.py`, import it at the bottom of this file;
3. bump `template_version` whenever the template or context changes, so every report is made anew.

Rules a kind must keep:
- `get_subject` / `get_subjects` read through the scoped managers only (the caller has opened the
  scope: the web request's, or the requester's re-opened in the worker), so outsiders find nothing.
- `build_context` must not depend on who asks: one job (one file) serves everyone who may see the
  subject. Anything viewer-specific belongs in the web page, not the PDF.
- `content_version` changes whenever anything shown in the report changes (hash what you show).
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.utils.text import slugify


class ReportKind(ABC):
    code: str = ""
    title: str = ""  # "School summary"
    template: str = ""  # "pdf/school_summary.html"
    subject_type: str = ""  # "school"
    # The permission (sendreview/roles.py) a viewer needs on the subject to see its reports.
    view_permission: str = ""
    template_version: str = "1"
    # Offered to LA staff as "regenerate for every …" when batch_subjects() is implemented.
    batch_label: str | None = None

    # --- subjects ---------------------------------------------------------------------------
    @abstractmethod
    def get_subject(self, uuid: UUID | str) -> Any | None: ...

    def get_subjects(self, uuids: Iterable[UUID | str]) -> dict[UUID, Any]:
        """Several subjects at once (for lists); the default asks one by one."""
        found = {}
        for uuid in uuids:
            subject = self.get_subject(uuid)
            if subject is not None:
                found[subject.uuid] = subject
        return found

    def batch_subjects(self, la) -> Iterable[Any] | None:
        """The subjects of an LA-wide batch ("every school's latest …"); None if not offered."""
        return None

    @abstractmethod
    def la_id_of(self, subject) -> int: ...

    @abstractmethod
    def school_of(self, subject):
        """The school the report belongs to, or None for an LA-wide report."""
        ...

    # --- content ----------------------------------------------------------------------------
    @abstractmethod
    def content_version(self, subject) -> str: ...

    @abstractmethod
    def build_context(self, subject) -> dict: ...

    def report_title(self, subject) -> str:
        return f"{self.title}: {subject}"

    def filename(self, subject) -> str:
        return f"{slugify(self.report_title(subject))[:100] or self.code}.pdf"

    def version_of(self, *parts: Any) -> str:
        """A content version: this kind's template version + a hash of what the report shows."""
        canonical = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
        return f"t{self.template_version}-{hashlib.sha256(canonical.encode()).hexdigest()[:40]}"

    def __repr__(self) -> str:
        return f"<ReportKind {self.code}>"


registry: dict[str, ReportKind] = {}


def register(kind: ReportKind) -> ReportKind:
    if kind.code in registry:
        raise ValueError(f"report kind {kind.code!r} registered twice")
    registry[kind.code] = kind
    return kind


def get_kind(code: str) -> ReportKind | None:
    return registry.get(code)


def batch_kinds() -> list[ReportKind]:
    return [kind for kind in registry.values() if kind.batch_label]


# Kinds register themselves on import.
# Kinds that live with their app (the app's own subjects and templates) are imported with them.
from audits.visits import report_kinds as _audit_visit_kinds  # noqa: E402, F401
from reports.kinds import (  # noqa: E402, F401
    audit_summary,
    school_summary,
    self_review,
    work_plan,
)
