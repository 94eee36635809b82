"""The ministry side's data, one module per noun."""

from portal.supervision.models.access import SupervisionAccess

__all__ = ["SupervisionAccess"]
