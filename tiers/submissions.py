"""Every create is idempotent: a per-form submission token, claimed in the transaction that creates.

A create form carries a random one-time token in a hidden field (``{% submission_token %}`` from the
``submissions`` template library, or ``SubmitOnceAdmin`` on an admin add page). The view creates through
``submit_once``: inside one transaction it first inserts the token (a ``SubmissionToken`` row, unique),
then creates, then records on the row what was created and the page it led to. A second POST of the same
form (a double tap, a retry after a timeout, ten parallel POSTs) waits on the unique index until the first
commits, finds the row, creates nothing and is sent to the first one's page with a message
(``Msg.ALREADY_SUBMITTED``). If the first one failed (a validation error rolls the token back with
everything else), the second is handled as a first submission.

A POST without a token (or with a malformed one) is handled as a first submission that is simply not
de-duplicated: every rendered form carries a token, and a client that strips it only repeats its own
writes, as it could by posting twice. Where a natural unique key exists (a duty day per person and date,
a rating per person and year, one visit a day) the service relies on it too.

Tokens are kept for ``TOKEN_DAYS``; the daily beat task ``tiers.tasks.purge_submission_tokens`` deletes
older ones (after that, re-posting a page that old counts as a new submission).
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, router, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from tiers.messages import Msg
from tiers.models import SubmissionToken

#: The name of the hidden field.
FIELD = "submission_token"
#: Days a token is kept (and a repeated POST answered with the first one's result).
TOKEN_DAYS = 1
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")

T = TypeVar("T")


def new_token() -> str:
    """A fresh random token (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def posted_token(request: HttpRequest) -> str | None:
    """The token of the POSTed form, or ``None`` when there is none or it is not a token."""
    value = request.POST.get(FIELD, "")
    return value if isinstance(value, str) and _TOKEN.fullmatch(value) else None


@dataclass(frozen=True)
class Submission(Generic[T]):
    """What a submission did: ``result`` is what it created (``None`` when ``repeated``: the same form was
    handled before, and nothing was created now); ``url`` is the page to go to (the first one's)."""

    result: T | None
    url: str
    repeated: bool


def _claim(token: str, user: Any) -> SubmissionToken | None:
    """Insert the token (waiting for a concurrent transaction holding it); ``None`` when it was taken."""
    try:
        with transaction.atomic():
            return SubmissionToken.objects.create(token=token, user=user)
    except IntegrityError:
        return None


def _first_url(request: HttpRequest, token: str) -> str | None:
    """The page the first submission of ``token`` led to, with a message; ``None`` when the token is
    someone else's (never shown to this user) or was purged in between: the form must be filled again."""
    first = SubmissionToken.objects.filter(token=token).first()
    if first is None or first.user_id != request.user.pk or not first.redirect_to:
        return None
    messages.info(request, Msg.ALREADY_SUBMITTED)
    return first.redirect_to


def _record(claim: SubmissionToken, result: Any, url: str) -> None:
    claim.redirect_to = url[:500]
    if isinstance(result, models.Model) and result.pk is not None:
        claim.content_type = ContentType.objects.get_for_model(result)
        claim.object_id = result.pk
    claim.save(update_fields=["redirect_to", "content_type", "object_id"])


def submit_once(request: HttpRequest, create: Callable[[], T], *, success_url: Callable[[T], str]) -> Submission[T]:
    """Call ``create`` once per submitted form: claim the form's token, create, and record the result and
    ``success_url(result)`` with the token, all in one transaction.

    A ``ValidationError`` from ``create`` rolls the claim back and propagates (the form shows it). A token
    already claimed by the same user answers ``repeated`` with the first one's page (and a message); one
    claimed by another user is a ``ValidationError`` (``Msg.SUBMISSION_NOT_YOURS``)."""
    token = posted_token(request)
    if token is None:
        with transaction.atomic():
            result = create()
            return Submission(result=result, url=success_url(result), repeated=False)
    with transaction.atomic():
        claim = _claim(token, request.user)
        if claim is None:
            if (first := _first_url(request, token)) is None:
                raise ValidationError(Msg.SUBMISSION_NOT_YOURS)
            return Submission(result=None, url=first, repeated=True)
        result = create()
        url = success_url(result)
        _record(claim, result, url)
    return Submission(result=result, url=url, repeated=False)


class SubmitOnceAdmin:
    """A ``ModelAdmin`` mixin: an add page's submission is handled once. The page carries the token (the
    project's ``admin/change_form.html`` renders it on add pages); the add is claimed, done and recorded in
    one transaction around Django's own, whatever ``save_model`` a subclass has. A repeated POST goes to
    the page the first one led to; a failed one (an invalid form) rolls its claim back."""

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        token = posted_token(request) if request.method == "POST" and object_id is None else None
        if token is None:
            return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        with transaction.atomic(using=router.db_for_write(self.model)):  # type: ignore[attr-defined]
            claim = _claim(token, request.user)
            if claim is None:
                if (first := _first_url(request, token)) is None:
                    messages.error(request, Msg.SUBMISSION_NOT_YOURS)
                    return HttpResponseRedirect(request.get_full_path())
                return HttpResponseRedirect(first)
            response = super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
            created = getattr(request, "_submitted_object", None)
            if created is None:  # the form was refused: the token stays unclaimed
                transaction.set_rollback(True)
                return response
            _record(claim, created, response.get("Location") or request.get_full_path())
        return response

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: str | None = None) -> HttpResponse:
        request._submitted_object = obj  # type: ignore[attr-defined]
        return super().response_add(request, obj, post_url_continue)  # type: ignore[misc]


def submission_tokens_purge(*, days: int = TOKEN_DAYS, now: datetime.datetime | None = None) -> int:
    """Delete the tokens older than ``days``; returns how many."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    deleted, _ = SubmissionToken.objects.filter(created_at__lt=cutoff).delete()
    return deleted
