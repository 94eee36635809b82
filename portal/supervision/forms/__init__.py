"""The ministry side's forms, one module per noun."""
