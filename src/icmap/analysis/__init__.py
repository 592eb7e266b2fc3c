"""Analyses: pure functions over the internal-customer graph that return result dataclasses.

None of them prints or mutates the graph.
"""
