"""The rules: one service per concern, each over the narrow ``context.Context`` (settings,
store, audit log, keyed hash, permission check), built once by ``ctnode.node``.

``access`` (API keys, who is calling), ``screening`` (queries, hits with decisions
applied, entity views, yente matches), ``lists`` (imports, exports, the UN list at
start, import listeners), ``review`` (the queue and decisions), ``batches`` (manifests,
payment files, their retention) and ``biometrics`` (enrolment, exchange, search).
"""
