"""Template tags of the review form: its radios, built in Python (frameworks.reviews.radios)."""

from __future__ import annotations

from django import template

from frameworks.reviews import radios

register = template.Library()


@register.simple_tag
def rating_radios(field, options, legend, statement):
    return radios.rating_radios(field, options, legend, statement)


@register.simple_tag
def mark_radios(example):
    return radios.mark_radios(example)
