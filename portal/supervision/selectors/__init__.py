"""Reads of the ministry side, one module per noun, always within the user's scope."""
