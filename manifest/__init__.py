"""The hwm domain: manifests, licences, the custody chain and the rules between them.

Nothing in this package imports Flask; the HTTP layer lives in ``api``.
"""
