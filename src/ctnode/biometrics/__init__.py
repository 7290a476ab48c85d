"""Biometrics: face and fingerprint records, ANSI/NIST-ITL exchange, 1:N search, peer probes.

Pipeline: ``images`` (strict decoding) → ``face`` / ``fingerprint`` (templates) and
``quality`` → ``index`` (1:N, fast and naive, persistent) → ``calibration`` (decisions
per 1:N search) → ``search`` (every face of a probe) → ``service``
(rules, storage via ``repository``, audit). ``ansi_nist`` reads and writes the
exchange format. See ``docs/biometrics.md``.
"""
