"""Periodic work: one scheduler, run inside the server (``scheduler``). The jobs themselves are
calls into the services and the federation, listed once in ``ctnode.node``."""
