"""The Vensim model file: loading it through pysd, reading it, writing data and the sketch into it,
its units. May import: ``runners.core``, ``runners.inputs.vintage``.
"""
