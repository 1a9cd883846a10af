"""Infrastructure under the domain: the database engine and types, the unit of work and the
schema migrations. The pure modules at the root of ``manifest`` never import from here."""
