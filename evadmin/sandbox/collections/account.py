"""Account operations: password reset, the webhook portal link, vehicle onboarding links.

Nothing is really sent: an email the API would send goes to the sandbox's outbox (outbox.py,
GET /_sandbox/outbox), so tests and developers can see the effect of an operation whose answer
deliberately shows nothing: a password reset answers the same whether or not the email has an account, and only
the outbox tells the two apart.
"""

from __future__ import annotations

import secrets
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.http import HttpResponse

from evadmin.sandbox import catalogue
from evadmin.sandbox.models import User
from evadmin.sandbox.outbox import record_sent_email
from evadmin.sandbox.resources import Endpoint
from evadmin.sandbox.responses import ApiError, json_response, validation_failed
from evadmin.sandbox.validation import Errors
from evadmin.sandbox.views.base import Operation

# Links a message or answer carries: example hosts, never a real app or Svix.
ONBOARDING_ORIGIN = "https://app.example.com"
WEBHOOK_PORTAL_ORIGIN = "https://webhooks.example.com"

_email_validator = EmailValidator()


def _email(value, errors: Errors, field: str = "email") -> str | None:
    if value is None or value == "":
        errors.add(field, "This field is required." if value is None else "This field may not be blank.")
    elif not isinstance(value, str):
        errors.add(field, "Not a valid string.")
    else:
        try:
            _email_validator(value.strip())
        except ValidationError:
            errors.add(field, "Enter a valid email address.")
        else:
            return value.strip()
    return None


def _body(context, slug: str, status: int = 400) -> dict:
    try:
        body = context.body()
    except ApiError as error:  # a malformed body is this endpoint's validation failure too
        error.status = status
        raise
    if not isinstance(body, dict):
        raise ApiError(status, "Request failed validation.", "Expected a JSON object.", slug,
                       field_errors={"non_field_errors": [f"Expected a dictionary, but got {type(body).__name__}."]})
    return body


def password_reset(context):
    """Answers the same for any well-formed email: whether an account exists is never revealed."""
    slug = "validation-failed-password-reset"
    body, errors = _body(context, slug, 422), Errors()
    email = _email(body.get("email"), errors)
    if errors:
        error = validation_failed(slug, errors)
        error.status = 422
        raise error
    user = User.objects.filter(email_lower=email.lower()).order_by("id").first()
    if user is not None:
        record_sent_email(to=user.email, template="password_reset", user_id=user.id,
                          reset_url=f"{ONBOARDING_ORIGIN}/reset-password/{secrets.token_urlsafe(16)}")
    return json_response({"status": "password_reset_email_sent"})


def webhook_portal(context):
    # One-time: every request makes a new key.
    return json_response({"url": f"{WEBHOOK_PORTAL_ORIGIN}/login#key={secrets.token_urlsafe(24)}"})


def vehicle_onboarding_link(context):
    """Sends the acting driver (EvEnergy-User) a link to onboard a vehicle of the given make."""
    slug = "validation-failed-vehicle-onboarding-link"
    body, errors = _body(context, slug), Errors()
    email = _email(body.get("email"), errors)
    make_id = body.get("make")
    if make_id is None or make_id == "":
        errors.add("make", "This field is required.")
    elif not isinstance(make_id, str):
        errors.add("make", "Not a valid string.")
    elif make_id not in catalogue.VEHICLE_MAKES:
        errors.add("make", f'Invalid make "{make_id}" - object does not exist.')
    if errors:
        raise validation_failed(slug, errors)
    user = context.acting_user
    if user is None:
        raise ApiError(400, "EvEnergy-User header required",
                       "The onboarding link is for one driver: send the EvEnergy-User header.",
                       "user-header-required")
    make = catalogue.VEHICLE_MAKES[make_id]
    record_sent_email(to=email, template="vehicle_onboarding_link", user_id=user.id, make=make.name,
                      onboarding_url=f"{ONBOARDING_ORIGIN}/vehicle-onboarding/start/{uuid.uuid4()}"
                                     f"?make_id={make.id}&user_id={user.id}")
    return HttpResponse(status=204)


DECLARATIONS = (
    Endpoint("auth/password_reset", {"POST": Operation(password_reset, None)}),
    # The spec asks for a token and names no scope.
    Endpoint("webhook_portal", {"GET": Operation(webhook_portal, "")}),
    Endpoint("vehicle_onboarding/onboarding_link", {"POST": Operation(vehicle_onboarding_link, "vehicle:write")}),
)
