"""The engine version, recorded with every result so that a decision can be traced to its code."""

ENGINE_VERSION = "1.0.0"
__version__ = ENGINE_VERSION
