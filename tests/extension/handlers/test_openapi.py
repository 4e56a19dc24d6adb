"""The OpenAPI document held against the code: same routes, same methods, a valid spec."""

from __future__ import annotations

from typing import Any

from openapi_spec_validator import validate

from jupyter_vertex.handlers.base import API_PREFIX, BaseHandler, regex_to_template

from ..spec import spec, spec_operations


def registered_operations(web_app: Any, base_url: str) -> set[tuple[str, str]]:
    """``{(template, METHOD)}`` of the extension's handlers as the live server has them."""
    prefix = base_url.rstrip("/") + API_PREFIX
    found: set[tuple[str, str]] = set()
    for rule in iter_rules(web_app):
        handler = rule.target
        if not (isinstance(handler, type) and issubclass(handler, BaseHandler)):
            continue
        if handler.route is None:  # the JSON 404 fallback, not an API route
            continue
        pattern = rule.matcher.regex.pattern
        assert pattern.startswith(prefix), pattern
        template = regex_to_template(pattern[len(prefix) :])
        assert template == handler.route, (template, handler.route)
        for method in handler.allowed_methods():
            found.add((template, method))
    return found


def iter_rules(web_app: Any) -> Any:
    """Every tornado rule of the server, nested routers included."""
    stack = [web_app.default_router, web_app.wildcard_router]
    while stack:
        router = stack.pop()
        for rule in getattr(router, "rules", []):
            if hasattr(rule.target, "rules"):
                stack.append(rule.target)
            else:
                yield rule


def test_the_document_is_valid_openapi() -> None:
    validate(spec())
    assert spec()["openapi"].startswith("3.1")


async def test_routes_in_code_and_spec_are_the_same(jp_serverapp: Any, jp_base_url: str) -> None:
    code = registered_operations(jp_serverapp.web_app, jp_base_url)
    assert code == spec_operations()


def test_every_operation_documents_the_error_shape() -> None:
    for path, item in spec()["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            responses = operation["responses"]
            for status in ("401", "403", "500", "503"):
                assert status in responses, (method, path, status)
            for status, response in responses.items():
                if int(status) >= 400:
                    assert response["$ref"].startswith("#/components/responses/"), status


def test_error_reasons_of_the_code_are_in_the_spec() -> None:
    from jupyter_vertex import errors
    from jupyter_vertex.handlers.base import MethodNotAllowed

    reasons = set(spec()["components"]["schemas"]["Error"]["properties"]["reason"]["enum"])
    klasses = [getattr(errors, name) for name in errors.__all__ if name != "to_vertex_error"]
    klasses.append(MethodNotAllowed)
    assert {k.reason for k in klasses} <= reasons
