"""Travel messages: passenger manifests (UN/EDIFACT PAXLST, PNRGOV) and passport names (ICAO 9303).

Pipeline: bytes → ``edifact`` (segments with positions) → ``paxlst`` / ``pnrgov`` /
``mrz`` (typed ``Manifest``); ``names`` gives the name forms a traveller is screened
under; ``masking`` blanks a stored message's values. Parsers only: no I/O, no store;
screening is ``ctnode.services.batches.manifest``.
"""
