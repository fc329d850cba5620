"""Keep the admin to what platform administrators look after: LAs, people and reference data.

Third-party apps register their own models; none of them is managed by hand here (groups and
per-user permissions are unused — rights come from memberships; e-mail addresses and authenticators
belong to their owners; reminder schedules are defined in code).
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.models import Group
from django_celery_beat import models as beat

for model in (
    Group,
    EmailAddress,
    Authenticator,
    beat.PeriodicTask,
    beat.ClockedSchedule,
    beat.CrontabSchedule,
    beat.SolarSchedule,
    beat.IntervalSchedule,
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
