"""The federation of one node: every protocol part, built once over the services.

There is no facade: the edges call the part that does the work
(``node.federation.directory.add_peer``, ``node.federation.network.screen``,
``node.federation.inbound.receive``, ...). A new message type is a handler method on
the part that answers it and one line in :meth:`Federation.build`'s table.
"""

from __future__ import annotations

from dataclasses import dataclass

from ctnode.federation.biometric_probes import BiometricProbes
from ctnode.federation.checkpoints import Checkpoints
from ctnode.federation.context import FederationContext
from ctnode.federation.directory import Directory
from ctnode.federation.disclosure import Disclosure
from ctnode.federation.hash_exchange import HashExchange
from ctnode.federation.hit_notices import HitNotices
from ctnode.federation.inbound import Inbound
from ctnode.federation.intel_exchange import IntelExchange
from ctnode.federation.keys import NodeKeys
from ctnode.federation.library_exchange import LibraryExchange
from ctnode.federation.list_updates import ListUpdates
from ctnode.federation.network_screening import NetworkScreening
from ctnode.federation.restrictions import Restrictions
from ctnode.services.biometrics.parts import Biometrics
from ctnode.services.context import Context
from ctnode.services.hashes import Hashes
from ctnode.services.intel.service import Intel
from ctnode.services.library import Library
from ctnode.services.lists import Lists
from ctnode.services.screening.notices import HitNoticeOutbox


@dataclass(frozen=True, slots=True)
class Federation:
    """The protocol parts of one node, sharing one ``FederationContext``."""

    context: FederationContext
    directory: Directory
    network: NetworkScreening
    biometric: BiometricProbes
    disclosure: Disclosure
    updates: ListUpdates
    checkpoints: Checkpoints
    inbound: Inbound
    hashes: HashExchange
    intel: IntelExchange
    library: LibraryExchange
    keys: NodeKeys
    notices: HitNotices
    restrictions: Restrictions

    @classmethod
    def build(cls, ctx: Context, *, network: NetworkScreening, lists: Lists,
              biometrics: Biometrics, hashes: Hashes, intel: Intel,
              library: Library, outbox: HitNoticeOutbox) -> Federation:
        """Every part over ``ctx``, sharing the network screening part's context (it is
        built first, alone, for a command that only screens across the network)."""
        fctx = network.ctx
        biometric = BiometricProbes(fctx, biometrics)
        disclosure = Disclosure(fctx, ctx.store.entities, biometrics.exchange)
        updates = ListUpdates(fctx, lists)
        checkpoints = Checkpoints(fctx)
        exchange = HashExchange(fctx, hashes, updates)
        intel_exchange = IntelExchange(fctx, intel, updates)
        library_exchange = LibraryExchange(fctx, library, updates)
        keys = NodeKeys(fctx)
        notices = HitNotices(fctx, updates, outbox)
        inbound = Inbound(
            fctx,
            {  # request type: (reply type, the part's handler)
                "screen.request": ("screen.response", network.on_screen),
                "disclosure.request": ("disclosure.ack", disclosure.on_request),
                "disclosure.status": ("disclosure.decision", disclosure.on_status),
                "disclosure.decision": ("ack", disclosure.on_decision),
                "list.delta": ("list.receipt", updates.on_delta),
                "alert": ("ack", updates.on_alert),
                "checkpoint.request": ("checkpoint", checkpoints.on_request),
                "checkpoint.notice": ("ack", checkpoints.on_notice),
                "checkpoint.held": ("checkpoint.copies", checkpoints.on_held),
                "key.notice": ("ack", keys.on_notice),
                "hit.notice": ("ack", notices.on_notice),
                "biometric.request": ("biometric.response", biometric.on_biometric),
                "hashes.delta": ("hashes.receipt", exchange.on_delta),
                "hashes.notice": ("ack", exchange.on_notice),
                "intel.delta": ("intel.receipt", intel_exchange.on_delta),
                "intel.sighting": ("ack", intel_exchange.on_sighting),
                "library.delta": ("library.receipt", library_exchange.on_delta),
            },
            on_contact=updates.on_contact,
        )
        directory = Directory(fctx)
        # a new subscriber gets the whole of what it subscribes to
        directory.on_subscribe += [updates.full_sync, intel_exchange.full_sync,
                                   library_exchange.full_sync]
        return cls(fctx, directory, network, biometric, disclosure, updates, checkpoints, inbound,
                   exchange, intel_exchange, library_exchange,
                   keys, notices, Restrictions(fctx, updates))

    def close(self) -> None:
        self.context.close()
