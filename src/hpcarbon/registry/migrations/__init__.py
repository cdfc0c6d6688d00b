"""Alembic migration scripts of the registry, shipped inside the package and run by
:func:`hpcarbon.registry.migrate.upgrade` (``registry init`` and every opening of a registry)."""
