"""Threat intelligence: the objects of a collection (newest versions, filtered by STIX type, 50
a page) and one object's page (type, name, description, TLP marking, properties, the watchlist
records it names with a link to each record's page, its relationships and sightings, the
objects it names, its versions), over ``services/intel`` with the person's actor: the same
permission (``intel.read``) and audit (``intel.read`` a page, ``intel.view`` an object) as the
API. A person reads every TLP level (inside the node); each object shows its marking."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from ctnode.errors import CTNodeError
from ctnode.model.tlp import TLP
from ctnode.web.app import Who, node_of, render, service_error
from ctnode.web.i18n import N_
from ctnode.web.pages.entity import bcp47

router = APIRouter()
KeyQ = Annotated[str, Query(max_length=64)]
TypeQ = Annotated[str, Query(max_length=250)]
AfterQ = Annotated[str, Query(max_length=200)]
# The object's own properties shown above its table of the others, or in sections of their own.
SHOWN_APART = frozenset({"type", "id", "name", "description", "spec_version",
                         "object_marking_refs", "external_references"})
TLP_NAMES = {level.value: level.label for level in TLP}
WATCH_STATUS = {"listed": N_("listed"), "delisted": N_("delisted")}


@router.get("/intel", response_class=HTMLResponse)
def objects(request: Request, who: Who, collection: KeyQ = "", type: TypeQ = "",
            after: AfterQ = "") -> HTMLResponse:
    node = node_of(request)
    try:
        collections = node.intel.list_collections(who.actor)
        key = collection or (collections[0]["id"] if collections else "")
        page = (node.intel.browse(who.actor, key, types=[type] if type else [],
                                  after=after or None) if key else None)
    except CTNodeError as exc:
        return service_error(request, exc)
    filters = {"collection": page.collection["id"] if page else "", "type": type}
    return render(request, "intel.html", collections=collections, page=page, filters=filters,
                  tlp_names=TLP_NAMES, first_page=not after,
                  query=urlencode(filters))


@router.get("/intel/{collection}/{object_id}", response_class=HTMLResponse)
def stix_object(request: Request, who: Who, collection: Annotated[str, Path(max_length=64)],
                object_id: Annotated[str, Path(max_length=300)]) -> HTMLResponse:
    node = node_of(request)
    try:
        shown = node.intel.object_page(who.actor, object_id, collection)
    except CTNodeError as exc:
        return service_error(request, exc)
    obj: Mapping[str, Any] = shown["object"]
    properties = [(k, _text(v)) for k, v in obj.items()
                  if k not in SHOWN_APART and not (k.endswith("_ref") or k.endswith("_refs"))]
    return render(request, "intel_object.html", o=obj, shown=shown, properties=properties,
                  col=shown["collection"], tlp_names=TLP_NAMES, statuses=WATCH_STATUS,
                  raw=json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True),
                  bcp47=bcp47)


def _text(value: Any) -> str:
    """A property's value as one line of text: scalars as written, lists of scalars joined
    with commas, anything else as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
