"""Federation: node identity and keys, the coordinators' directory, sharing agreements,
signed envelopes, hit/no-hit screening across nodes, biometric probes, staged disclosure,
list updates with receipts, alerts, and signed audit checkpoints.

Each protocol part takes the services it answers with (``parts.Federation`` builds them
once, for ``ctnode.node``). Only ``ctnode.federation.transport`` opens connections to
other hosts.
"""
