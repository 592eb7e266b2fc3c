"""What an org change does (``icmap diff``): ``text`` for a terminal, ``markdown`` for a
pull-request comment, ``json``; ``words`` holds the sentences the first two share.
"""
