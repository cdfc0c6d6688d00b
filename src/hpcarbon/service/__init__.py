"""``hpcarbon serve``: the platform's validation service and the owners' self-check page (issue 14).

- :mod:`.command` — the argparse sub-command (imports nothing heavy);
- :mod:`.defaults` — the defaults the command line shows and the settings take (imports nothing);
- :mod:`.config` — the service's settings and limits;
- :mod:`.worker` — one upload validated in a worker process (private temp dir, gone afterwards);
- :mod:`.pool` — the worker process pool: bounded queue, per-file timeout, crash isolation;
- :mod:`.downloads` — annotated copies kept a limited time behind unguessable links;
- :mod:`.errors` — API errors: a code, a status and a bilingual message;
- :mod:`.uploads` — reading a multipart request within the size and file-count limits;
- :mod:`.accesslog` — JSON-lines access log without personal data;
- :mod:`.app` — the ASGI application (FastAPI) and its routes.
"""
