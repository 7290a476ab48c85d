"""The ``ctnode`` command line: thin commands over ``ctnode.node.Node``."""
