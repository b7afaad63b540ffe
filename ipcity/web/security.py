"""Session cookies and CSRF tokens.

Every visitor gets one signed cookie (HttpOnly, SameSite=Lax) holding a random CSRF token
and, after login, the user id and the time of login. State-changing requests (POST, PUT,
PATCH, DELETE) must echo the token in the form field ``csrf_token`` or the header
``X-CSRF-Token``; the check is an app-wide dependency, so a new form cannot forget it.
"""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Any, NamedTuple

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

SESSION_COOKIE = "ipcity_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CookieState(NamedTuple):
    """A session cookie as read: its data, when it was signed (None: a new session), and
    whether a genuine cookie came past its age."""

    data: dict[str, Any]
    signed_at: float | None
    expired: bool


class SessionCodec:
    """Signs and reads the session cookie."""

    def __init__(self, secret_key: str, max_age: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="ipcity-session")
        self.max_age = max_age

    def load(self, cookie: str | None) -> dict[str, Any]:
        """The session's data, or a fresh anonymous session when the cookie is absent or forged."""
        return self.read(cookie).data

    def read(self, cookie: str | None) -> CookieState:
        """The session's data with when the cookie was signed, and whether it came expired
        (a genuine cookie past its age: the visitor was logged in or had a form open)."""
        if cookie:
            try:
                data, signed = self._serializer.loads(cookie, max_age=self.max_age, return_timestamp=True)
                if isinstance(data, dict) and isinstance(data.get("csrf"), str):
                    return CookieState(data, signed.timestamp(), False)
            except SignatureExpired:
                return CookieState(new_session(), None, True)
            except BadData:
                # Forged, altered or undecodable: the visitor is anonymous.
                pass
        return CookieState(new_session(), None, False)

    def dump(self, data: dict[str, Any]) -> str:
        """The signed cookie value."""
        return self._serializer.dumps(data)


def new_session(user_id: int | None = None) -> dict[str, Any]:
    """A session with a fresh CSRF token (a new one at every login, against fixation)."""
    data: dict[str, Any] = {"csrf": secrets.token_urlsafe(24)}
    if user_id is not None:
        data["uid"] = user_id
        data["at"] = time.time_ns() // 1_000_000  # milliseconds: see auth.service.get_user
    return data


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of CSRF tokens."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
