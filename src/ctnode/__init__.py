"""ctnode: node software for a network of national counter-terrorism coordinators."""

__version__ = "0.1.0"
