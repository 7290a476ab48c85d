"""Biometrics: face and fingerprint records, ANSI/NIST-ITL exchange, 1:N search, peer probes.

Pipeline: ``images`` (safe decoding) → ``face`` / ``fingerprint`` (templates) →
``index`` (1:N, fast and naive) → ``calibration`` (decisions) → ``service``
(rules, storage via ``repository``, audit). ``ansi_nist`` reads and writes the
exchange format. See ``docs/biometrics.md``.
"""
