"""Renderers, one package per product (``report``, ``check``, ``diff``, ``impact``, ``team``,
``survey``, ``imports``, ``picture``) and one module per format inside it. They format results;
they never compute them. ``text`` and ``json_text`` are the helpers every product shares.
"""
