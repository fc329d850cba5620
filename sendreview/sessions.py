"""Database sessions that are written when they change, or when the idle deadline needs moving.

With SESSION_SAVE_EVERY_REQUEST every request (each autosave of the review form included) wrote its
session row back only to move the idle deadline. Here a session is written back when its data
changed, or when the stored deadline is more than SESSION_REFRESH_SECONDS old, so the idle timeout
still runs from the last request, to within that many seconds (QUALITY.md §10), and a burst of
requests costs one write instead of one each.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    stored_expiry = None  # the expire_date read with the session, if it came from the database

    def _get_session_from_db(self):
        stored = super()._get_session_from_db()
        self.stored_expiry = stored.expire_date if stored is not None else None
        return stored

    def deadline_is_stale(self) -> bool:
        """True when the stored idle deadline lags the one a write now would set by more than
        SESSION_REFRESH_SECONDS (a session never read from the database is not stale)."""
        if self.stored_expiry is None:
            return False
        wanted = timezone.now() + timezone.timedelta(seconds=self.get_expiry_age())
        lag = (wanted - self.stored_expiry).total_seconds()
        return lag > settings.SENDREVIEW_SESSION_REFRESH_SECONDS
