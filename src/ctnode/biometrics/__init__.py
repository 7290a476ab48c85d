"""Biometric engines: faces, fingerprints, ANSI/NIST-ITL, 1:N indexes.

Pipeline: ``images`` (safe decoding) → ``face`` / ``fingerprint`` (templates) →
``index`` (1:N, fast and naive) → ``calibration`` (decisions); ``ansi_nist`` reads
and writes the exchange format; ``crypto`` seals what is stored. Engines only: the
rules (permissions, storage, audit) are ``ctnode.services.biometrics``. See
``docs/biometrics.md``.
"""
