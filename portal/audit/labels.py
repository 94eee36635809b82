"""The words for the statuses an audit event records, in the reader's language.

An event keeps a status as its stored value (``approved``, ``issued``): stable, but not what a
person reads. The trail knows none of the models that own those values, so each app registers
its own choices when ready, by the ``object_type`` its events carry.
"""

from collections.abc import Iterable

_STATUS_LABELS: dict[str, dict[str, object]] = {}


def status_labels_register(object_type: str, choices: Iterable[tuple[str, object]]) -> None:
    _STATUS_LABELS.setdefault(object_type, {}).update(dict(choices))


def status_label(object_type: str, value) -> str:
    """The registered word for ``value``, or the value itself."""
    label = _STATUS_LABELS.get(object_type, {}).get(value)
    return str(label) if label is not None else ("" if value is None else str(value))
