"""Everything drawn or written for a reader: charts, the briefing pack, rendering, diagrams,
parameter listings. May import the layers below (core … analysis).
"""
