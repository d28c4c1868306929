"""One projection: the pysd run of a scenario on a vintage, its results, milestones, manifest and
headline; the explorer's JavaScript bundle of the same run. May import the layers below (core … scenario).
"""
