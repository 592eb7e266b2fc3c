"""One module per rule of ``icmap check``; each module's docstring is the rule's documentation."""
