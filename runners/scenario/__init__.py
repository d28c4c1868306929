"""Scenarios: parsing and validating scenario files and ``--set`` overrides, supply-effect
parameter sets, bond pricing. May import the layers below (core, inputs, mdl, engine).
"""
