"""Federation: node identity and keys, the coordinators' directory, sharing agreements,
signed envelopes, hit/no-hit screening across nodes, staged disclosure, list updates with
receipts, alerts, and signed audit checkpoints.

``FederationService`` (``ctnode.federation.service``) is the one object the edges call;
``node.federation`` creates it on first use. Only ``ctnode.federation.transport`` opens
network connections.
"""

from __future__ import annotations

__all__ = ["PROTOCOL_VERSION"]

PROTOCOL_VERSION = 1
