"""One projection: the pysd run of a scenario on a vintage, its results, milestones, manifest and
headline. May import the layers below (core … scenario).
"""
