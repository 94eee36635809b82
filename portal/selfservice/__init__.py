"""The subscriber's own pages: my numbers, disputes, who viewed my data."""
