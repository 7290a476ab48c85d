"""The audit log: ``events`` (the typed catalogue of what is recorded), ``chain`` (the
canonical form, the hash and the one verify loop) and ``log`` (the node's log)."""
