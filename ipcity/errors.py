"""One exception tree for the whole platform.

Every error a user can meet is an :class:`IPCityError`. It carries

* ``status`` – the HTTP status the web layer answers with,
* ``code`` – a stable machine-readable identifier (``invalid_number``, ``not_found`` …),
* ``message`` – one sentence, written in Chinese (the message id of the gettext catalogue),
  with ``{placeholders}`` filled from ``params``; :meth:`IPCityError.render` gives it in
  the user's language.

The hierarchy::

    IPCityError
    ├── BadInput (400)
    │   ├── InvalidNumber (also a ValueError)   application/publication numbers, USCC
    │   ├── InvalidFile                          unreadable, truncated or unknown file layout
    │   └── ValidationFailed                     a field that breaks a domain rule
    ├── NotAuthenticated (401)
    ├── PermissionDenied (403)
    ├── NotFound (404)
    ├── Conflict (409)
    └── RateLimited (429)

Routes never build their own error pages: ``ipcity.web.app`` maps this tree to an HTML
page or a JSON body ``{"ok": false, "error": ..., "code": ..., "status": ...}``.
"""

from __future__ import annotations

from typing import Any


class IPCityError(Exception):
    """Base of every error the platform reports to a person."""

    status: int = 500
    code: str = "error"

    def __init__(self, message: str, /, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(self.render("zh_CN"))

    def render(self, locale: str = "zh_CN") -> str:
        """Return the message in ``locale`` with its parameters filled in."""
        from ipcity.i18n import gettext, localized_params

        template = gettext(self.message, locale)
        try:
            return template.format(**localized_params(self.params, locale))
        except (KeyError, IndexError, ValueError):
            return template


class BadInput(IPCityError):
    """The request or file holds something that breaks a rule; nothing was changed."""

    status = 400
    code = "bad_input"


class InvalidNumber(BadInput, ValueError):
    """A patent, publication or credit-code number that does not pass its format or check digit."""

    code = "invalid_number"


class InvalidFile(BadInput):
    """A file that cannot be read as any known layout (truncated, corrupted, wrong kind)."""

    code = "invalid_file"


class ValidationFailed(BadInput):
    """A value that breaks a domain rule (unknown region code, negative population …)."""

    code = "validation_failed"


class NotAuthenticated(IPCityError):
    """The action needs a logged-in user."""

    status = 401
    code = "not_authenticated"


class PermissionDenied(IPCityError):
    """The user's role or region scope does not allow the action."""

    status = 403
    code = "permission_denied"


class NotFound(IPCityError):
    """The record asked for does not exist (or is not visible to this user)."""

    status = 404
    code = "not_found"


class Conflict(IPCityError):
    """The action conflicts with the current state (already confirmed, duplicate …)."""

    status = 409
    code = "conflict"


class RateLimited(IPCityError):
    """Too many attempts in a short time (login)."""

    status = 429
    code = "rate_limited"


def first_line(value: object) -> str:
    """The first line of ``value``'s text, stripped: what a one-line message may show of an
    error whose text has several (a database driver's error carries its SQL, a YAML error
    its excerpt). '' for None or a blank text.

    >>> first_line(ValueError("duplicate key\\nDETAIL: Key (number)=(CN1) exists.")), first_line(None)
    ('duplicate key', '')
    """
    text = str(value if value is not None else "").strip()
    return text.splitlines()[0] if text else ""
