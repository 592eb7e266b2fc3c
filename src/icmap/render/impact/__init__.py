"""Who is hit if a team fails (``icmap impact``): ``terminal``, ``markdown`` and ``json``;
``words`` holds the sentences they share. Its pictures are drawn by :mod:`icmap.render.picture`.
"""
