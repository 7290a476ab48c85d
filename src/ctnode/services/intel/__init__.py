"""Threat intelligence (issue 17): ``Intel`` (collections, imports, exports, links),
``Taxii`` (the node's TAXII 2.1 server) and ``Pulls`` (other TAXII servers' collections,
on the scheduler)."""
