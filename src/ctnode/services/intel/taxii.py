"""The node's TAXII 2.1 server, as a service: each endpoint takes the caller, the request's
parts and answers a ``TaxiiResponse`` (``ctnode.intel.taxii.protocol``), over the store's
collections.

The caller's view of a collection says what they may do: ``can_read`` with the
``intel.read`` permission, ``can_write`` with ``intel.write`` on a writable collection.
A TAXII client holds one of the node's API keys, so it is a system of the node's own
organisation: it receives every TLP level but TLP:RED (``model/tlp.may_share``), filtered
in the store before paging, so a page is never short. Pages served, objects added and
deletions are audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Literal

from ctnode.clock import utcnow
from ctnode.intel.taxii import protocol
from ctnode.intel.taxii.media import require_taxii_accept
from ctnode.intel.taxii.protocol import QueryPairs, TaxiiRequest, TaxiiResponse
from ctnode.intel.taxii.resources import ApiRoot, Collection, Discovery, Status, StatusDetail
from ctnode.intel.timestamps import format_timestamp
from ctnode.model.access import Actor, allowed
from ctnode.model.tlp import Recipient, allowed_levels
from ctnode.services.context import Context
from ctnode.services.intel.service import Intel, IntelChange, newly_added
from ctnode.store.contracts import Row

ReadEndpoint = Literal["objects", "manifest", "object", "versions"]
API_ROOT = "api1"  # the node's one API root: /taxii2/api1/
TAXII_RECIPIENT = Recipient("organisation")


def _details(items: Sequence[StatusDetail]) -> list[dict[str, Any]]:
    return [d.as_dict() for d in items]


def _status_of(row: Row) -> Status:
    def parts(items: list[dict[str, Any]]) -> list[StatusDetail]:
        return [StatusDetail(d["id"], d.get("version", ""), d.get("message")) for d in items]

    return Status(
        id=row["id"],
        request_timestamp=row["request_timestamp"],
        successes=parts(row["successes"]),
        failures=parts(row["failures"]),
    )


class Taxii:
    """TAXII 2.1 discovery, API root, collections, objects, manifest, versions, status."""

    def __init__(self, ctx: Context, intel: Intel) -> None:
        self.ctx = ctx
        self.intel = intel
        self.store = ctx.store.intel
        s = ctx.settings
        self.limits = protocol.Limits(
            default_limit=min(s.taxii_page_size, s.taxii_max_page_size),
            max_limit=s.taxii_max_page_size,
            max_content_length=s.taxii_max_content_length,
        )
        self.tlp_levels = allowed_levels(TAXII_RECIPIENT)

    def _roles(self) -> set[str]:
        return set(self.ctx.settings.biometric_roles)

    def view(self, actor: Actor, row: Row | None) -> Collection | None:
        """The collection as ``actor`` sees it (None when it does not exist)."""
        if row is None:
            return None
        return Collection(
            id=row["id"],
            title=row["title"],
            description=row["description"],
            alias=row["alias"],
            can_read=allowed(actor, "intel.read", self._roles()),
            can_write=bool(row["writable"]) and allowed(actor, "intel.write", self._roles()),
        )

    def _request(
        self, actor: Actor, key: str, params: QueryPairs, accept: str | None
    ) -> TaxiiRequest:
        return TaxiiRequest(
            self.view(actor, self.store.find_collection(key)),
            params,
            accept,
            self.tlp_levels,
            self.limits,
        )

    # -- server and API root ------------------------------------------------------------

    def discovery(self, base_url: str, accept: str | None) -> TaxiiResponse:
        root = f"{base_url.rstrip('/')}/taxii2/{API_ROOT}/"
        return protocol.discovery(
            Discovery(
                title=f"ctnode TAXII 2.1 ({self.ctx.settings.data_dir.name})",
                description="Threat intelligence of this ctnode node (STIX 2.1, TLP 2.0).",
                api_roots=[root],
                default=root,
            ),
            accept,
        )

    def api_root(self, accept: str | None) -> TaxiiResponse:
        return protocol.api_root(
            ApiRoot(
                title="ctnode threat intelligence",
                max_content_length=self.limits.max_content_length,
            ),
            accept,
        )

    def status(self, actor: Actor, status_id: str, accept: str | None) -> TaxiiResponse:
        row = self.store.get_status(status_id)
        if row is not None and row["actor"] != actor.name and actor.role != "admin":
            row = None  # someone else's POST: as if it did not exist
        return protocol.status(_status_of(row) if row else None, accept)

    # -- collections ----------------------------------------------------------------------

    def collections(self, actor: Actor, accept: str | None) -> TaxiiResponse:
        views = [self.view(actor, row) for row in self.store.list_collections()]
        return protocol.collections([v for v in views if v is not None], accept)

    def collection(self, actor: Actor, key: str, accept: str | None) -> TaxiiResponse:
        return protocol.collection(self.view(actor, self.store.find_collection(key)), accept)

    def _served(
        self,
        actor: Actor,
        endpoint: str,
        req: TaxiiRequest,
        resp: TaxiiResponse,
        object_id: str | None = None,
    ) -> TaxiiResponse:
        items = resp.body.get("objects") or resp.body.get("versions") or []
        assert req.collection is not None
        self.ctx.audit.record(
            "intel.read",
            actor,
            detail={
                "endpoint": endpoint,
                "collection": req.collection.id,
                "object": object_id,
                "params": [
                    list(p)
                    for p in (req.params.items() if isinstance(req.params, dict) else req.params)
                ][:20],
                "count": len(items),
                "more": bool(resp.body.get("more")),
            },
        )
        return resp

    def read(
        self,
        actor: Actor,
        endpoint: ReadEndpoint,
        key: str,
        params: QueryPairs,
        accept: str | None,
        object_id: str | None = None,
    ) -> TaxiiResponse:
        """GET ``objects/``, ``manifest/``, ``objects/{id}/`` or ``objects/{id}/versions/``
        (the endpoint's name), audited as ``intel.read`` with what was served."""
        req = self._request(actor, key, params, accept)
        if endpoint == "objects":
            resp = protocol.get_objects(self.store, req)
        elif endpoint == "manifest":
            resp = protocol.get_manifest(self.store, req)
        else:
            read_one = protocol.get_object if endpoint == "object" else protocol.get_versions
            resp = read_one(self.store, req, object_id or "")
        return self._served(actor, endpoint, req, resp, object_id)

    # -- writing --------------------------------------------------------------------------

    def add_objects(
        self, actor: Actor, key: str, body: bytes, content_type: str | None, accept: str | None
    ) -> TaxiiResponse:
        """POST: each object validated on its own; the valid ones added with their audit entry
        in one transaction; 202 with a status resource kept for ``GET status/{id}/``."""
        req = self._request(actor, key, (), accept)
        now = utcnow()
        status_id = str(uuid.uuid4())

        def write(collection_id: str, objects: list[dict[str, Any]]) -> list[Any]:
            with self.ctx.store.begin() as conn:
                outcomes = self.intel.add_objects(
                    conn, actor, collection_id, objects, source=f"taxii:{actor.name}"
                )
                self.ctx.audit.record(
                    "intel.import",
                    actor,
                    conn=conn,
                    detail={
                        "collection": collection_id,
                        "source": "taxii",
                        "status": status_id,
                        "added": sum(1 for o in outcomes if o.message is None),
                        "already_present": sum(1 for o in outcomes if o.message),
                    },
                )
            self.intel.changed(IntelChange(self.intel.collection(collection_id),
                                           newly_added(objects, outcomes),
                                           source=f"taxii:{actor.name}"))
            return outcomes

        st, resp = protocol.add_objects(write, req, body, content_type, now, status_id=status_id)
        assert req.collection is not None
        with self.ctx.store.begin() as conn:
            self.store.add_status(
                conn,
                {
                    "id": st.id,
                    "collection_id": req.collection.id,
                    "request_timestamp": now,
                    "actor": actor.name,
                    "successes": _details(st.successes),
                    "failures": _details(st.failures),
                },
            )
            if st.failures:
                self.ctx.audit.record(
                    "intel.import.failed",
                    actor,
                    conn=conn,
                    detail={
                        "collection": req.collection.id,
                        "source": "taxii",
                        "status": st.id,
                        "refused": len(st.failures),
                        "at": format_timestamp(now),
                    },
                )
        return resp

    def delete_object(
        self, actor: Actor, key: str, object_id: str, params: QueryPairs, accept: str | None
    ) -> TaxiiResponse:
        """DELETE an object's versions (all, or those ``match[version]`` names)."""
        require_taxii_accept(accept)
        req = self._request(actor, key, params, accept)
        query = protocol.delete_object_query(req.collection, object_id, params)
        assert req.collection is not None
        self.intel.delete(actor, req.collection.id, object_id, query)
        return TaxiiResponse(200, {})
