"""flask-smorest set up for this API: strict parsing, problem details, documented errors.

- The argument parser refuses unknown query and body fields (400, not 422), parses bodies as
  strict JSON (gateway/strict_json.py) and refuses a body that is not JSON (415).
- Every error response in the OpenAPI document is a ``Problem`` (application/problem+json).
- ``secured(action)`` authenticates and authorizes before any argument is parsed (an anonymous
  caller learns nothing about the fields) and documents the bearer scheme and the errors every
  route can answer.
"""

from __future__ import annotations

import http
from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any

from flask import current_app
from flask_smorest import Api, Blueprint
from marshmallow.utils import missing
from webargs.core import is_json
from webargs.flaskparser import FlaskParser

from gateway import errors, strict_json
from gateway.access import authorize
from gateway.errors import ApiError
from gateway.http_schemas import Problem
from services.infra.i18n import _

# answered by every route: a bad token, a refused role or scope, a bug, the broker or a
# service away or too slow, an unknown query parameter, a request too large or too slow
ALWAYS = (400, 401, 403, 408, 413, 500, 503, 504)
BODY = (415,)


class StrictParser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400
    # the schemas decide (gateway/http_schemas.py: Strict refuses unknown fields)
    DEFAULT_UNKNOWN_BY_LOCATION = {  # noqa: RUF012
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "json": None,
        "query": None,
        "querystring": None,
    }

    def load_json(self, req: Any, schema: Any) -> Any:
        raw = req.get_data(cache=True)  # MAX_CONTENT_LENGTH applies: 413
        if not raw:
            return missing
        if not is_json(req.mimetype):
            raise ApiError(415)
        try:
            return strict_json.loads(raw, current_app.config["SETTINGS"].json_max_depth)
        except strict_json.JsonRejected as rejected:
            raise ApiError(400, _(rejected.reason), code="invalid_json") from None


class GatewayBlueprint(Blueprint):
    ARGUMENTS_PARSER = StrictParser()


class GatewayApi(Api):
    """Documents every error response as a Problem in application/problem+json."""

    ERROR_SCHEMA = Problem
    DEFAULT_ERROR_RESPONSE_NAME = None  # each route lists the statuses it answers

    def _register_responses(self) -> None:
        for status in errors.STATUSES:
            phrase = http.HTTPStatus(status).phrase
            response = {
                "description": f"{phrase}: {errors.DEFAULT_DETAILS[status]}",
                "content": {errors.PROBLEM_JSON: {"schema": "Problem"}},
            }
            if status == 405:
                response["headers"] = {
                    "Allow": {"description": "The methods allowed", "schema": {"type": "string"}}
                }
            if status == 401:
                response["headers"] = {
                    "WWW-Authenticate": {
                        "description": "Bearer challenge",
                        "schema": {"type": "string"},
                    }
                }
            self.spec.components.response(http.HTTPStatus(status).name, response, lazy=True)


def secured(blp: Blueprint, action: str, *statuses: int) -> Callable[[Any], Any]:
    """Authorize ``action`` before anything else runs; document the bearer scheme and the
    problem statuses this route can answer (ALWAYS plus ``statuses``)."""

    def decorator(view: Any) -> Any:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            authorize(action)
            return view(*args, **kwargs)

        wrapper._apidoc = deepcopy(getattr(view, "_apidoc", {}))  # type: ignore[attr-defined]
        documented: Any = blp.doc(security=[{"bearer": []}])(wrapper)
        for status in sorted(set(ALWAYS) | set(statuses), reverse=True):
            documented = blp.alt_response(status, http.HTTPStatus(status).name)(documented)
        return documented

    return decorator
