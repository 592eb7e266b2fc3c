"""The findings of ``icmap check``: ``text`` (one ``file:line:col`` line a finding), ``json``,
``github`` (workflow annotations and the job summary), ``sarif`` (code scanning) and ``junit``.
"""
