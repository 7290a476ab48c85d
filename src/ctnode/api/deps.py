"""Shared FastAPI dependencies as ``Annotated`` aliases: the node, and the calling actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from ctnode.errors import Unauthorized
from ctnode.node import Actor, Node, Purpose


def get_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


NodeDep = Annotated[Node, Depends(get_node)]


def get_actor(
    node: NodeDep,
    x_api_key: Annotated[str | None, Header(description="API key: ctn_<id>_<secret>")] = None,
    authorization: Annotated[
        str | None, Header(description="'ApiKey <key>' or 'Bearer <key>'")
    ] = None,
) -> Actor:
    token = x_api_key
    if token is None and authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() not in {"apikey", "bearer"} or not value.strip():
            raise Unauthorized("Authorization header must be 'ApiKey <key>' or 'Bearer <key>'")
        token = value.strip()
    try:
        return node.authenticate(token)
    except Unauthorized:
        node.audit(
            "auth.denied",
            Actor(name="anonymous", role="none"),
            detail={
                "key_id": (token or "").split("_")[1] if token and token.count("_") >= 2 else None
            },
        )
        raise


ActorDep = Annotated[Actor, Depends(get_actor)]


def get_purpose(
    purpose: Annotated[str | None, Header(alias="X-Purpose", max_length=200)] = None,
    legal_basis: Annotated[str | None, Header(alias="X-Legal-Basis", max_length=500)] = None,
    case_ref: Annotated[str | None, Header(alias="X-Case-Ref", max_length=200)] = None,
) -> Purpose:
    return Purpose(purpose=purpose, legal_basis=legal_basis, case_ref=case_ref)


PurposeDep = Annotated[Purpose, Depends(get_purpose)]
