"""What a user typed into a section when their save was refused, kept until they save again."""

from sendreview.documents.conflicts import ConflictStore

SECTION_CONFLICTS = ConflictStore("audit-sections")
