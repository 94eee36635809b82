"""The OpenAPI schema and its two readers, Swagger UI and Redoc, from drf-spectacular-sidecar.

Both readers inject styles at run time (and Redoc a blob: worker), so their two pages, and
only those, allow inline styles, data: images and blob: workers. Scripts stay 'self': Swagger
UI's start-up script is served by the split view, Redoc's is a static file.
"""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

_READER_CSP = csp_update(
    {"style-src": ["'unsafe-inline'"], "img-src": ["data:"], "worker-src": ["blob:"]}
)


class SchemaView(SpectacularAPIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []


@method_decorator(_READER_CSP, name="dispatch")
class SwaggerView(SpectacularSwaggerSplitView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    url_name = "api:schema"


@method_decorator(_READER_CSP, name="dispatch")
class RedocView(SpectacularRedocView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    url_name = "api:schema"
    template_name = "api/redoc.html"
