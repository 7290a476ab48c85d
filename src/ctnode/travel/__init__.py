"""Travel screening: passenger manifests (UN/EDIFACT PAXLST, PNRGOV) and passport names (ICAO 9303).

Pipeline: bytes → ``edifact`` (segments with positions) → ``paxlst`` / ``pnrgov``
(typed ``Manifest``) → ``screen`` (one screening query per traveller, through the
node) → ``report`` (table, JSON lines, CSV). Parsers are pure: no I/O, no node.
"""
