"""Domain logic in plain modules: no Flask request objects, shared by the CLI, the web and the tests."""


class ServiceError(ValueError):
    """A request the domain refuses, with a message fit to show the user as is."""


class NotFound(ServiceError):
    """The object does not exist, or the actor may not know it exists."""


class Forbidden(ServiceError):
    """The actor is known but lacks the right for this action."""
