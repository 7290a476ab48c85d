"""The HTTP API (FastAPI): thin routers over ``ctnode.node.Node``."""
