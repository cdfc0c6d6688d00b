"""Alembic environment: always run programmatically, on the connection the registry hands over
(``config.attributes["connection"]``); there is no alembic.ini."""

from alembic import context

from hpcarbon.registry.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
