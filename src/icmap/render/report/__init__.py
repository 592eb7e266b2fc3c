"""The analyses of one org (``icmap report``): ``terminal``, ``markdown`` and ``json``;
``words`` holds the sentences and numbers the first two share. Its HTML page is
:mod:`icmap.render.picture.html`.
"""
