"""Threat intelligence engine: STIX 2.1 content, TLP 2.0 sharing rule, TAXII 2.1 protocol, MISP.

An engine in the layer order (model <- engines <- store <- ...): it imports only
``ctnode.model``, ``ctnode.errors``, ``ctnode.settings`` and third-party libraries.
Storage, permissions, audit and the HTTP routes are wired above it.

- ``stix``: read and validate STIX 2.1 content (``parse_stix``).
- ``tlp``: TLP 2.0 levels, marking definitions and the sharing rule (``may_share``).
- ``watchlist``: threat actors / intrusion sets that reference a listed group.
- ``taxii``: TAXII 2.1 resources, filters, pagination, media types, errors; a client adapter.
- ``misp``: MISP event JSON to STIX 2.1 and back, with a report of what a round trip loses.
- ``versions``: new versions, revocation and sightings as STIX 2.1 versioning defines them.
- ``timestamps``, ``issues``: STIX timestamps; validation findings and their error.
"""
