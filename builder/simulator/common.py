"""Errors, parameter parsing and pagination shared by the endpoint modules."""

from __future__ import annotations

import math
from typing import Any, Sequence, TypeVar

from builder.net.asgi import Request, Response

T = TypeVar("T")


class ApiError(Exception):
    """Raised by a handler to answer with ``status`` and a JSON ``payload``."""

    def __init__(self, status: int, payload: dict) -> None:
        super().__init__(payload.get("message") or payload.get("error"))
        self.status = status
        self.payload = payload

    def response(self) -> Response:
        return Response.json(self.payload, status=self.status)


def bad_request(message: str) -> ApiError:
    return ApiError(400, {"error": "Bad Request", "message": message})


def not_found() -> ApiError:
    return ApiError(404, {"error": "Not Found", "message": "Resource not found"})


def json_body(request: Request) -> dict:
    """The request body as a JSON object; an absent body counts as ``{}``."""
    try:
        body = request.json()
    except ValueError:
        raise bad_request("Invalid JSON body") from None
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise bad_request("Request body must be a JSON object")
    return body


def _as_int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise bad_request(f"{name} must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise bad_request(f"{name} must be an integer")


def int_value(value: Any, name: str, *, default: int, maximum: int | None = None, minimum: int = 1) -> int:
    """A page/pageSize-like number from a query string or JSON body, validated like the API does."""
    if value is None or value == "":
        return default
    number = _as_int(value, name)
    if number < minimum or (maximum is not None and number > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise bad_request(f"{name} must be {bounds}")
    return number


def total_pages(total: int, page_size: int) -> int:
    return math.ceil(total / page_size) if page_size else 0


def page_slice(items: Sequence[T], page: int, page_size: int) -> list[T]:
    start = (page - 1) * page_size
    return list(items[start:start + page_size])


def page_info(page: int, page_size: int, total: int, total_key: str) -> dict:
    """The ``{page, pageSize, <total_key>, totalPages, hasNextPage, hasPreviousPage}`` object."""
    pages = total_pages(total, page_size)
    return {"page": page, "pageSize": page_size, total_key: total, "totalPages": pages,
            "hasNextPage": page < pages, "hasPreviousPage": page > 1}


def split_list(values: list[str]) -> list[str]:
    """Comma lists that may also be repeated (``a,b`` or ``x=a&x=b``), blanks dropped, order kept."""
    found: list[str] = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if part and part not in found:
                found.append(part)
    return found
