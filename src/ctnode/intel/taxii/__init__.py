"""TAXII 2.1 as a pure, storage-agnostic layer: media types and errors (``media``),
filters and pagination (``query``), resources (``resources``), stored versions and the
selection rules with a naive reference and an indexed in-memory collection
(``collection``), the endpoints as request -> response functions (``protocol``), and
a client that pulls another server's collection through a small transport interface
(``client``)."""
