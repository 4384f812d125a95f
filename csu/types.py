"""Types shared by csu's interfaces."""

from __future__ import annotations

from django.http import HttpRequest

from csu.models import User


class AuthedHttpRequest(HttpRequest):
    """A request behind ``login_required`` / ``permission_required`` (or the middleware that
    turns anonymous callers away): its user is a signed-in ``User``, never ``AnonymousUser``.
    Only for type checking; Django builds the request as usual."""

    user: User


def otp_verified(user: object) -> bool:
    """Whether the user passed the second factor in this request. django-otp's middleware puts
    ``is_verified`` on request users (it is not on the model, so the stubs cannot know it); a
    user without it did not come through that middleware and counts as not verified."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False
