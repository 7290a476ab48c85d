"""Federation: node identity and keys, the coordinators' directory, sharing agreements,
signed envelopes, hit/no-hit screening across nodes, staged disclosure, list updates with
receipts, alerts, and signed audit checkpoints.

``FederationService`` (``ctnode.federation.service``) is the one object the edges call;
``node.federation`` creates it on first use. Only ``ctnode.federation.transport`` opens
network connections.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ctnode.biometrics.service import ProbeTemplate
    from ctnode.node import Actor, Node, Purpose

__all__ = ["PROTOCOL_VERSION", "biometric_query"]

PROTOCOL_VERSION = 1


def biometric_query(
    node: Node, actor: Actor, probe: ProbeTemplate, purpose: Purpose
) -> list[dict[str, Any]]:
    """Send a probe template (``BiometricService.make_probe``) to every peer whose agreement
    allows biometric queries; each peer's answer as a dict (see ``PeerAnswer.to_dict``)."""
    result = node.federation.biometric_network(probe, actor, purpose)
    return [p.to_dict() for p in result.peers]
