"""The sweep engine: the .mdl's equations compiled once into a vectorised program (many scenarios
at once). May import: ``runners.core``, ``runners.inputs.vintage``, ``runners.mdl``.
"""
