"""Template tags for PDF templates (templates/pdf/)."""

from django import template

from reports.fetcher import static_url

register = template.Library()


@register.simple_tag
def pdf_static(path: str) -> str:
    """URL of one of the app's static files as the PDF URL fetcher serves it (never file: or http:)."""
    return static_url(path)
