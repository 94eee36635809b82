"""The ministry side's pages, one module per noun."""
