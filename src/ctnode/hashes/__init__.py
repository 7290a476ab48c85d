"""Terrorist-content hashes: an engine, no storage and no network.

The pipeline, one module per step:

    content.py        a file's bytes → image, video or other (by signature, not by name)
    signals/          per signal type: validate, compare (brute force), compute
                      pdq.py (pdqhash, 8 dihedral variants), vpdq.py (vpdq + ffmpeg),
                      files.py (MD5, SHA-256)
    hasher.py         a file or upload → FileHashes (content is never kept)
    model.py          banks, records with provenance, labels (GIFCT-like), TLP 2.0, hits
    index/            per signal type: a fast index and a brute-force one beside it
                      (pdq: faiss multi-index hashing; vpdq: frames in a PDQ index;
                      exact: dictionaries for MD5/SHA-256)
    matcher.py        banks + indexes → a hash or a file → hits with distance, bank, labels
    formats/          HMA bank exports (1.x data files, 2.x bank content JSON), the
                      threatexchange CLI's signal files, STIX 2.1 objects

Imports only ``ctnode.errors`` from the node and third-party libraries (an engine
in the layer order of issue 9). Store, services, API and federation build on it.
"""
