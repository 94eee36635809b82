"""IP allow-lists of API keys: addresses or CIDR networks, checked and normalised."""

import ipaddress

from django.utils.translation import gettext as _

from portal.api.errors import ApiCode, ApiError

ALLOWED_NETWORKS_FIELD = "allowed_networks"


def normalized_networks(entries) -> list[str]:
    """Each entry as a network in CIDR form (an address is a /32 or /128)."""
    networks = []
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(str(ipaddress.ip_network(entry, strict=False)))
        except ValueError:
            raise ApiError(
                ApiCode.INVALID_NETWORK,
                _("%(entry)s is not an IP address or a network such as 203.0.113.0/24.")
                % {"entry": entry},
                field=ALLOWED_NETWORKS_FIELD,
            ) from None
    return networks


def address_in_networks(address: str | None, networks) -> bool:
    """True if there is no allow-list, or ``address`` is in one of its networks."""
    if not networks:
        return True
    if address is None:
        return False
    client = ipaddress.ip_address(address)
    return any(client in ipaddress.ip_network(network) for network in networks)
