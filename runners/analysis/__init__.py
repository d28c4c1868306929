"""Questions asked of projections and sweeps: the fiscal gap, the backtest, CBO's rules of thumb,
comparisons, the feedback loops. May import the layers below (core … sweep).
"""
