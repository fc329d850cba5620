"""Read-only admin for the framework reference data.

Versions are published only through the loader (manage.py load_frameworks) so that a published
version can never be edited in place; the admin is for looking, not changing.
"""

from django.contrib import admin

from .models import Framework, FrameworkVersion, Item, Section, Theme


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Theme)
class ThemeAdmin(ReadOnlyAdmin):
    list_display = ["code", "label"]


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyAdmin):
    list_display = ["code", "short_name", "name"]


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(ReadOnlyAdmin):
    list_display = ["framework", "number", "source_file", "published_at", "checksum"]
    list_filter = ["framework"]


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    list_display = ["code", "number", "title", "version"]
    list_filter = ["version__framework"]


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ["code", "number", "statement", "section"]
    list_filter = ["version__framework", "themes"]
    search_fields = ["code", "statement"]
    list_select_related = ["section"]
