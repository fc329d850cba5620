"""Read-only admin for the framework reference data.

Versions are published only through the loader (manage.py load_frameworks) so that a published
version can never be edited in place; the admin is for looking, not changing.
"""

from django.contrib import admin

from sendreview.admin_site import ReadOnlyPlatformModelAdmin

from .models import Framework, FrameworkVersion, Item, Section, Theme


@admin.register(Theme)
class ThemeAdmin(ReadOnlyPlatformModelAdmin):
    list_display = ["code", "label"]


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyPlatformModelAdmin):
    list_display = ["code", "short_name", "name"]


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(ReadOnlyPlatformModelAdmin):
    list_display = ["framework", "number", "source_file", "published_at", "checksum"]
    list_filter = ["framework"]


@admin.register(Section)
class SectionAdmin(ReadOnlyPlatformModelAdmin):
    list_display = ["code", "number", "title", "version"]
    list_filter = ["version__framework"]


@admin.register(Item)
class ItemAdmin(ReadOnlyPlatformModelAdmin):
    list_display = ["code", "number", "statement", "section"]
    list_filter = ["version__framework", "themes"]
    search_fields = ["code", "statement"]
    list_select_related = ["section"]
