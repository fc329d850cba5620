from celery import shared_task

from audits.visits import reminders


@shared_task(name="audit_visits.send_reminders")
def send_reminders() -> int:
    """For Celery beat (daily): remind whoever owes the next step of an open audit visit."""
    return reminders.send_reminders()
