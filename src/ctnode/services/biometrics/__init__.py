"""Biometrics: ``enrolment`` (records in, out, viewed, purged), ``search`` (1:N) and
``exchange`` (templates to and from peers), over the ``engines`` the node is configured
with; ``types`` are what they take and give. See ``docs/biometrics.md``."""
