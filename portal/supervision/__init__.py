"""The ministry side: supervision of the operators, and the audit trail's pages."""
