"""Use cases. Each takes a UnitOfWork and keyword-only arguments, raises domain errors,
and commits once."""


def _wire() -> None:
    # Reconciliation must follow every signed move whoever drives the lifecycle (HTTP, the
    # command line, tests), so it is registered when the services are first imported.
    from .reconciliation import install_hooks

    install_hooks()


_wire()
