"""Risk signals: one module per family of signals, the statistics in ``stats.py``, every
signal with its formula and threshold in ``registry.py``. Reads only: the alerts service
(``portal.supervision.services.alerts``) turns their hits into alerts."""
