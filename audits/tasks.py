from celery import shared_task

from audits import reminders


@shared_task(name="audits.send_return_reminders")
def send_return_reminders() -> int:
    """For Celery beat (daily): remind schools that still owe their SEN audit return."""
    return reminders.send_reminders()
