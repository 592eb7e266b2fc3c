"""One team's own page (``icmap team``): ``terminal``, ``markdown`` and ``json``; ``words``
holds the sentences they share.
"""
