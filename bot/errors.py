"""The home of faqbot's domain exceptions: every module raises from here."""


class StorageError(Exception):
    """The database could not do what was asked."""


class HandoffNotFound(StorageError):
    """No handoff has the requested id."""


class KnowledgeBaseError(Exception):
    """The knowledge base files are missing, malformed or inconsistent."""


class EvaluationFileError(Exception):
    """A labelled evaluation file cannot be read."""


class ConfigurationError(Exception):
    """The settings are incomplete or contradictory."""


class DeliveryError(Exception):
    """An outbox entry could not be delivered this time; it will be retried."""


class UndeliverableError(DeliveryError):
    """An outbox entry can never be delivered (the receiver refused it for good)."""
