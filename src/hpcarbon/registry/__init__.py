"""The declaration registry (issue 11): the platform's tamper-evident memory of every accepted declaration,
so that no project is credited twice for one period (§7.3.3) and no estimate stands above later metered heat
(§6.2.4.3). It sits above the validator: it validates with it and never the other way round.

Python API (see :mod:`hpcarbon.registry.store`)::

    from hpcarbon.registry import Registry, RegistryError
    with Registry.open(location) as reg:          # SQLite path or postgresql+psycopg:// URL
        outcome = reg.accept(path, operator="…")  # Outcome(status, report, declaration_id, corrections)
"""

__all__ = ["REGISTRY_ENV", "DeclarationSummary", "Outcome", "OutcomeStatus", "Registry", "RegistryError", "VerifyResult"]

_HOME = {"REGISTRY_ENV": "database", "RegistryError": "database", "DeclarationSummary": "store", "Outcome": "store", "OutcomeStatus": "store",
         "Registry": "store", "VerifyResult": "store"}


def __getattr__(name: str):
    # lazily: `hpcarbon --help` imports the registry's commands module, which must not pull SQLAlchemy in
    if name not in _HOME:
        raise AttributeError(name)
    from importlib import import_module

    return getattr(import_module(f"hpcarbon.registry.{_HOME[name]}"), name)
