"""One module per resource, each with its blueprint and schemas."""
