"""Celery tasks of the work plans: thin wrappers (the work is in workplans/reminders.py)."""

from __future__ import annotations

from celery import shared_task

from workplans import reminders


@shared_task(name="workplans.send_reminders", acks_late=True)
def send_reminders() -> int:
    """Daily: reminders to those who owe a work plan's agreement or review (idempotent)."""
    return reminders.send_due_reminders()
