"""Snowball's ground floor: errors, the environment check, paths, the on-disk cache, safe output
folders, fiscal-year arithmetic and the results columns. Imports nothing else from ``runners``.
"""
