"""Reading ``data/``: a CBO vintage's paths and initial state, history, and CBO's projection errors.
May import: ``runners.core``.
"""
