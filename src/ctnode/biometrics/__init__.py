"""Biometric engines: faces, fingerprints, ANSI/NIST-ITL, 1:N indexes.

Pipeline: ``images`` (strict decoding) → ``face`` / ``fingerprint`` (templates) and
``quality`` → ``index`` (1:N, fast and naive, persistent) → ``calibration`` (decisions
per 1:N search) → ``search`` (every face of a probe); ``ansi_nist`` reads and writes
the exchange format; ``crypto`` seals what is stored. Engines only: the rules
(permissions, storage, audit) are ``ctnode.services.biometrics``. See
``docs/biometrics.md``.
"""
