"""Who may read the operations endpoints' detail: the holder of ``OPS_TOKEN``.

A load balancer needs no more than the status code; the detail (which part is down) and the
metrics are for the operations team, who send the token as ``Authorization: Bearer``.
"""

import hmac

from django.conf import settings


def holds_ops_token(request) -> bool:
    token = settings.OPS_TOKEN
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    if not token or scheme.lower() != "bearer" or not value:
        return False
    return hmac.compare_digest(value.strip().encode(), token.encode())
