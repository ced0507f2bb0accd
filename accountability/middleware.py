"""Request hygiene and response headers applied to every page, API call and export (issue 17).

* ``RefuseControlCharacters``: a path, query parameter or form field holding a control character (NUL
  above all) is refused with 400 and a plain Chinese message, before any view runs. PostgreSQL cannot
  store or even compare a NUL (``?q=%00`` was a 500 on 34 URLs), and no legitimate input has one. Tab,
  line feed and carriage return are allowed in POSTed values (a textarea's lines); nowhere else.
* ``NoStoreForAuthenticated``: a response to a logged-in user is ``Cache-Control: private, no-store``
  unless the view set its own caching, so scoped pages, JSON and .xlsx exports are never kept by a
  shared proxy or in the browser's cache of a shared office computer. Static files are not concerned.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.functional import Promise

from accountability.messages import Msg

logger = logging.getLogger(__name__)

#: C0 controls, DEL and C1 controls: never part of a code, a name or a search.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: The same, less tab, line feed and carriage return: what a POSTed value may not hold.
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Bodies whose fields Django parses into ``request.POST``.
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _holds(params: QueryDict, values: re.Pattern[str]) -> bool:
    """Whether a key (any control) or a value (``values``) of ``params`` holds a control character."""
    return any(CONTROL.search(key) or any(values.search(v) for v in params.getlist(key)) for key in params)


def control_character_in(request: HttpRequest) -> Promise | None:
    """Where ``request`` holds a control character (``Msg.CONTROL_IN_PATH``, ``_QUERY`` or ``_FORM``), or None."""
    if CONTROL.search(request.path_info) or CONTROL.search(request.path):
        return Msg.CONTROL_IN_PATH
    if _holds(request.GET, CONTROL):
        return Msg.CONTROL_IN_QUERY
    if request.method == "POST" and request.content_type in FORM_TYPES and _holds(request.POST, CONTROL_IN_TEXT):
        return Msg.CONTROL_IN_FORM
    return None


class RefuseControlCharacters:
    """400 with a Chinese message for a path, query or form holding a control character (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = control_character_in(request)
        if where is None:
            return self.get_response(request)
        logger.warning("Refused a request with a control character: %r", request.get_full_path()[:200])
        # Before LocaleMiddleware: the language is the request's (its cookie or Accept-Language), Chinese by default.
        with translation.override(translation.get_language_from_request(request)):
            text = str(Msg.CONTROL_CHARACTER) % {"where": str(where)}
        response = HttpResponseBadRequest(text + "\n", content_type="text/plain; charset=utf-8")
        patch_cache_control(response, no_store=True)
        return response


class NoStoreForAuthenticated:
    """``Cache-Control: private, no-store`` on what a logged-in user is sent (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control") or request.path.startswith(self.static_prefix):
            return response  # the view chose its caching (Django's never_cache, static content)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
