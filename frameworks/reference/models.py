"""Reference data: the self-review frameworks, their published versions, sections and items.

These rows are shared by every local authority and hold no tenant data (no school or LA keys), so
they use plain managers rather than django-scopes. They are written only by the loader
(frameworks.reference.loader, `manage.py load_frameworks`) from the data files in frameworks/data/, and a
published version is immutable: the admin shows them read-only.
"""

import uuid
from functools import cached_property

from django.db import models

from .scales import RatingScale


class Theme(models.Model):
    """A common theme (outcomes, leadership, ...) that items of every framework are tagged with,
    so that trends and comparisons survive a change of framework."""

    code = models.SlugField(max_length=60, unique=True)
    label = models.CharField(max_length=120)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class Framework(models.Model):
    """A self-review framework (e.g. the DfES 2006 checklist), independent of its versions."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name

    @property
    def latest_version(self) -> "FrameworkVersion | None":
        return self.versions.order_by("-number").first()


class FrameworkVersion(models.Model):
    """One published, immutable version of a framework, loaded from frameworks/data/<code>/vN.yaml.

    `checksum` is the SHA-256 of the file's parsed content (canonical JSON), so a reformatted file
    is still "unchanged" while any change of wording is caught and refused by the loader.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    source_file = models.CharField(max_length=200)
    source_title = models.CharField(max_length=300)
    attribution = models.TextField()
    transcription_notes = models.JSONField(default=list)
    introduction = models.JSONField(default=list)
    reflective_prompts = models.JSONField(default=list)
    # The question the source prints above every statement's evidence (key statements); "" if none.
    evidence_prompt = models.TextField(blank=True)
    scale = models.JSONField(help_text="The rating scale mapping as in the data file.")
    checksum = models.CharField(max_length=64)
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["framework__name", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="framework_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.framework.short_name} v{self.number}"

    @cached_property
    def rating_scale(self) -> RatingScale:
        return RatingScale.from_dict(self.scale)


class Section(models.Model):
    """A group of items as the source document groups them (a dimension, a checklist group, ...)."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(max_length=40)
    number = models.CharField(max_length=10)
    title = models.CharField(max_length=300)
    # The source's questions for reflection on this group (DfES "Pause for reflection"); [] if none.
    reflective_prompts = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField()

    item_list: "list[Item]"  # set by selectors.version_sections (not a field)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"], name="section_code_unique_per_version"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Item(models.Model):
    """One statement that is rated, with its prompts, exemplars by band and theme tags.

    `version` repeats `section.version` so that responses and dashboards can look items up by
    (version, code) without a join; the loader sets both together.
    """

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(max_length=40)
    number = models.CharField(max_length=10)
    statement = models.TextField()
    evidence_page_wording = models.TextField(blank=True)
    prompts = models.JSONField(default=list)
    exemplars = models.JSONField(default=dict)
    position = models.PositiveIntegerField()
    themes = models.ManyToManyField(Theme, related_name="items", blank=True)

    class Meta:
        ordering = ["section__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="item_code_unique_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.statement[:60]}"
