"""Use cases. Each takes a UnitOfWork and keyword-only arguments, raises domain errors,
and commits once."""
