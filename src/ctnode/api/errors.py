"""Typed errors mapped to HTTP responses, in one place."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ctnode.api.schemas.common import ErrorOut
from ctnode.errors import CTNodeError, Refused

log = logging.getLogger(__name__)

# Declared on every route, so the OpenAPI document shows the body 4xx answers really have
# (it also replaces FastAPI's default 422 schema, whose ``detail`` is a list).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorOut, "description": "Refused: invalid input, credential, role or rule"}
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CTNodeError)
    async def _ctnode_error(_request: Request, exc: CTNodeError) -> JSONResponse:
        body: dict[str, object] = {"detail": exc.message, "code": exc.code}
        if isinstance(exc, Refused):
            body["reason"] = exc.reason
        headers = {"WWW-Authenticate": "ApiKey"} if exc.status_code == 401 else None
        return JSONResponse(status_code=exc.status_code, content=body, headers=headers)

    @app.exception_handler(HTTPException)
    async def _http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        # Raised by the framework itself (unknown path, wrong method, unreadable JSON body).
        try:
            code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_").replace("-", "_")
        except ValueError:
            code = "http_error"
        detail = str(exc.detail) if exc.detail else code.replace("_", " ")
        return JSONResponse(
            status_code=exc.status_code,
            content={"detail": detail, "code": code},
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"])
        return JSONResponse(
            status_code=422,
            content={
                "detail": f"{where}: {first['msg']}",
                "code": "invalid_input",
                "errors": errors,
            },
        )

    @app.exception_handler(ValueError)
    async def _value_error(_request: Request, exc: ValueError) -> JSONResponse:
        # Library parsers raise ValueError on bad user input; never a 500 for those.
        return JSONResponse(status_code=422, content={"detail": str(exc), "code": "invalid_input"})
