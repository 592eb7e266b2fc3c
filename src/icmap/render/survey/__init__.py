"""The internal-customer survey (``icmap survey``): the questionnaire as ``csv``, ``markdown``
and ``html`` pages; ``words`` holds the questions they share.
"""
