"""What ``icmap import`` did: ``summary``, the counts and changes as text or JSON."""
