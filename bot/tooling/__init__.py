"""Offline tooling apart from the runtime: the Rasa export and evaluation."""
