"""One error shape for the whole API: ``{"message", "code", "extra": {"fields": ...}}``."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from csu.exceptions import ApplicationError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, ApplicationError):
        return Response(
            {"message": exc.message, "code": exc.code, "extra": exc.extra},
            status=status.HTTP_409_CONFLICT,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "message": "The request is not valid.",
            "code": "invalid",
            "extra": {"fields": response.data},
        }
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        response.data = {
            "message": str(detail),
            "code": getattr(detail, "code", "error"),
            "extra": {},
        }
    return response
