"""Sweeps: thousands of scenarios through the engine, in processes or on Dask, with percentiles
and sensitivities. May import the layers below (core … projection).
"""
