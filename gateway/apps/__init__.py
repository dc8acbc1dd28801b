"""SaaS app awareness: which app, tenant and activity a request is, and tenant restriction.

The catalog (``catalog.yaml``) is data: apps with domains, risk and activity signatures that
carry their own examples. :func:`load_catalog` validates and compiles it once;
:meth:`Catalog.classify` runs per request. :func:`restriction_headers` says which vendor
tenant-restriction headers to strip and inject for a host.
"""

from __future__ import annotations

from ._catalog import AppContext, Catalog, load_catalog
from ._model import ACTIVITIES, CATEGORIES, App, Example, Signature
from ._tenant import HeaderEdit, TenantRestrictions, restriction_headers

__all__ = [
    "ACTIVITIES",
    "CATEGORIES",
    "App",
    "AppContext",
    "Catalog",
    "Example",
    "HeaderEdit",
    "Signature",
    "TenantRestrictions",
    "load_catalog",
    "restriction_headers",
]
