"""The column registry: every results.csv column with its label, unit, how it is reported and its source.

Loaders, the README's column table, chart labels and the CLI read this; nobody retypes a unit.
Kinds: ``stock`` is the model variable at the fiscal-year end; ``flow`` is the fiscal-year total
(difference of the model's accumulator across the year); ``mean`` is the fiscal-year average
(accumulator difference over one year); ``ratio`` is computed from other columns as stated.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One output column of results.csv."""

    name: str
    label: str
    unit: str
    kind: str
    model_var: str
    definition: str


COLUMNS: tuple[Column, ...] = (
    Column("gdp", "Nominal GDP", "$bn", "flow", "Cumulative GDP", "Fiscal-year nominal GDP."),
    Column("revenues", "Revenues", "$bn", "flow", "Cumulative revenues", "Federal revenues."),
    Column("outlays", "Outlays", "$bn", "flow", "Cumulative outlays", "Primary outlays + net interest."),
    Column(
        "primary_outlays",
        "Primary outlays",
        "$bn",
        "flow",
        "Cumulative primary outlays",
        "Outlays other than net interest.",
    ),
    Column(
        "primary_deficit",
        "Primary deficit",
        "$bn",
        "flow",
        "Cumulative primary deficit",
        "Primary outlays - revenues (positive = deficit).",
    ),
    Column(
        "deficit",
        "Deficit",
        "$bn",
        "flow",
        "Cumulative deficit",
        "Outlays - revenues (positive = deficit).",
    ),
    Column(
        "net_interest",
        "Net interest",
        "$bn",
        "flow",
        "Cumulative net interest",
        "Interest on debt held by the public - other interest income (the vintage's path: CBO's "
        "average rate x average debt - its net interest each year, $21bn in FY2026 falling to $7.5bn "
        "in FY2036 on the default vintage, held in dollars beyond).",
    ),
    Column(
        "interest_on_debt",
        "Interest on debt held by the public",
        "$bn",
        "flow",
        "Cumulative interest on debt",
        "Sum of the coupon co-flows and the TIPS inflation accrual over the fiscal year.",
    ),
    Column(
        "tips_inflation_compensation",
        "TIPS inflation compensation",
        "$bn",
        "flow",
        "Cumulative TIPS inflation accrual",
        "TIPS principal accrued with CPI-U inflation over the fiscal year (interest in Treasury's accounts).",
    ),
    Column(
        "debt_held_by_public",
        "Debt held by the public",
        "$bn",
        "stock",
        "debt held by the public",
        "Bills + notes + bonds + TIPS at the fiscal-year end (30 September).",
    ),
    Column(
        "debt_to_gdp",
        "Debt held by the public",
        "% of GDP",
        "ratio",
        "",
        "debt_held_by_public / gdp x 100.",
    ),
    Column("net_interest_to_gdp", "Net interest", "% of GDP", "ratio", "", "net_interest / gdp x 100."),
    Column(
        "net_interest_share_of_outlays",
        "Net interest share of outlays",
        "%",
        "ratio",
        "",
        "net_interest / outlays x 100.",
    ),
    Column(
        "net_interest_share_of_revenues",
        "Net interest share of revenues",
        "%",
        "ratio",
        "",
        "net_interest / revenues x 100.",
    ),
    Column(
        "average_interest_rate",
        "Average interest rate on debt held by the public",
        "%",
        "ratio",
        "",
        "CBO's definition: interest on debt held by the public over the fiscal year / the average "
        "of debt held by the public at the start and end of the year x 100.",
    ),
    Column(
        "average_coupon_rate",
        "Average coupon on the debt at year end",
        "%",
        "stock",
        "average coupon rate",
        "Co-flow sum / stock sum at the fiscal-year end.",
    ),
    Column(
        "bill_yield",
        "3-month bill yield",
        "%",
        "mean",
        "Cumulative bill yield",
        "Fiscal-year average market yield (baseline path + shifts).",
    ),
    Column(
        "two_year_yield",
        "2-year note yield",
        "%",
        "mean",
        "Cumulative two year yield",
        "Fiscal-year average (curve rule between bill and 10-year).",
    ),
    Column(
        "ten_year_yield",
        "10-year note yield",
        "%",
        "mean",
        "Cumulative ten year yield",
        "Fiscal-year average market yield (baseline path + shifts).",
    ),
    Column(
        "thirty_year_yield",
        "30-year bond yield",
        "%",
        "mean",
        "Cumulative thirty year yield",
        "Fiscal-year average (10-year + long bond spread).",
    ),
    Column(
        "defense",
        "Defense discretionary outlays",
        "$bn",
        "flow",
        "Cumulative defense",
        "CBO's dollars (timing-adjusted), following prices and real costs.",
    ),
    Column(
        "nondefense",
        "Nondefense discretionary outlays",
        "$bn",
        "flow",
        "Cumulative nondefense",
        "CBO's dollars (timing-adjusted), following prices and real costs.",
    ),
    Column(
        "social_security",
        "Social Security outlays",
        "$bn",
        "flow",
        "Cumulative social security",
        "CBO's dollars (timing-adjusted), following prices (COLA) and real wages.",
    ),
    Column(
        "medicare",
        "Medicare outlays",
        "$bn",
        "flow",
        "Cumulative medicare",
        "CBO's dollars, net of offsetting receipts, timing-adjusted; following prices and real costs.",
    ),
    Column(
        "medicaid",
        "Medicaid, CHIP and marketplace outlays",
        "$bn",
        "flow",
        "Cumulative medicaid",
        "CBO's dollars (timing-adjusted), following prices, real costs and enrolment.",
    ),
    Column(
        "other_primary_outlays",
        "Other primary outlays",
        "$bn",
        "flow",
        "Cumulative other primary outlays",
        "Other mandatory, timing shifts and any primary balance shift (residual).",
    ),
    Column(
        "other_means_of_financing",
        "Other means of financing",
        "$bn",
        "flow",
        "Cumulative other means of financing",
        "Borrowing beyond the deficit (CBO).",
    ),
    Column(
        "gross_issuance",
        "Gross issuance",
        "$bn",
        "flow",
        "Cumulative gross issuance",
        "Maturing debt + deficit + other means of financing.",
    ),
    Column(
        "bill_share",
        "Bills and FRNs share of debt",
        "%",
        "ratio",
        "",
        "Bills / debt held by the public x 100 at the fiscal-year end.",
    ),
    Column(
        "weighted_average_maturity",
        "Weighted average maturity",
        "months",
        "stock",
        "weighted average maturity",
        "Bucket mid-points weighted by amount, at the fiscal-year end.",
    ),
    Column(
        "five_year_yield",
        "5-year note yield",
        "%",
        "mean",
        "Cumulative five year yield",
        "Fiscal-year average (curve rule between bill and 10-year).",
    ),
    Column(
        "holdings_japan",
        "Treasuries held by Japan",
        "$bn",
        "stock",
        "Japan holdings",
        "TIC at the initial state (default: September 2025); normal demand keeps its share, sales leave.",
    ),
    Column(
        "holdings_china",
        "Treasuries held by China",
        "$bn",
        "stock",
        "China holdings",
        "TIC at the initial state (default: September 2025); normal demand keeps its share, sales leave.",
    ),
    Column(
        "holdings_other_foreign_official",
        "Treasuries held by other foreign official holders",
        "$bn",
        "stock",
        "Other foreign official holdings",
        "TIC foreign official less Japan and China.",
    ),
    Column(
        "holdings_foreign_private",
        "Treasuries held by foreign private investors",
        "$bn",
        "stock",
        "Foreign private holdings",
        "TIC grand total less foreign official.",
    ),
    Column(
        "holdings_fed",
        "Treasuries held by the Federal Reserve",
        "$bn",
        "stock",
        "Fed holdings",
        "H.4.1 at the initial state (default: 24 Sep 2025); normal share plus response purchases less "
        "run-off.",
    ),
    Column(
        "holdings_domestic_private",
        "Treasuries held by domestic private investors",
        "$bn",
        "stock",
        "Domestic private holdings",
        "The rest of the debt: absorbs sales and new issuance.",
    ),
    Column(
        "bond_price_10y",
        "Price of the representative 10-year note",
        "$ per $100 face",
        "mean",
        "Cumulative bond price 10y",
        "Par (100) at the baseline yield; fiscal-year average.",
    ),
    Column(
        "bond_price_30y",
        "Price of the representative 30-year bond",
        "$ per $100 face",
        "mean",
        "Cumulative bond price 30y",
        "Par (100) at the baseline yield; fiscal-year average.",
    ),
    Column(
        "bill_price_3m",
        "Price of a 3-month bill",
        "$ per $100 face",
        "mean",
        "Cumulative bill price 3m",
        "Discounted at the bill yield; fiscal-year average.",
    ),
    Column(
        "confidence",
        "Market confidence",
        "index (1 = baseline)",
        "mean",
        "Cumulative confidence",
        "Fiscal-year average of the confidence stock.",
    ),
    Column(
        "total_premium",
        "Total premium on the 10-year yield",
        "%",
        "mean",
        "Cumulative total premium",
        "Supply + debt + confidence premia + QE effect + inflation expectations; fiscal-year average.",
    ),
    Column(
        "supply_premium",
        "Supply premium",
        "%",
        "mean",
        "Cumulative supply premium",
        "Flow and stock effects of official sales, 10-year point (data/calibration/).",
    ),
    Column(
        "debt_premium",
        "Debt premium",
        "%",
        "mean",
        "Cumulative debt premium",
        "2 bp per point of debt/GDP above the baseline path (CBO).",
    ),
    Column(
        "confidence_premium",
        "Confidence premium",
        "%",
        "mean",
        "Cumulative confidence premium",
        "Lookup of market confidence.",
    ),
    Column(
        "qe_effect",
        "QE effect of Fed purchases",
        "%",
        "mean",
        "Cumulative QE effect",
        "Negative: Fed purchases on the supply stock curve (Gagnon et al. 2011).",
    ),
    Column(
        "inflation_expectations_premium",
        "Inflation-expectations premium",
        "%",
        "mean",
        "Cumulative inflation expectations premium",
        "Side effect of Fed purchases (assumption).",
    ),
    Column(
        "dollar_index",
        "Dollar index",
        "index (100 = baseline)",
        "mean",
        "Cumulative dollar index",
        "Driven by the 10-year yield differential; fiscal-year average.",
    ),
    Column(
        "em_stress_index",
        "Emerging-market stress index",
        "index (0 = baseline)",
        "mean",
        "Cumulative em stress",
        "From the dollar and U.S. yields; fiscal-year average.",
    ),
    Column(
        "fiscal_rule_adjustment",
        "Fiscal rule adjustment",
        "$bn",
        "flow",
        "Cumulative fiscal rule adjustment",
        "Revenue raised plus discretionary spending cut by the rule.",
    ),
    Column(
        "fed_purchases",
        "Fed response purchases",
        "$bn",
        "flow",
        "Cumulative fed purchases",
        "Purchases above the Fed's normal share (B1).",
    ),
    Column(
        "japan_sales",
        "Sales by Japan",
        "$bn",
        "flow",
        "Cumulative japan sales",
        "Scheduled plus currency-pressure sales.",
    ),
    Column(
        "official_sales",
        "Sales by foreign official holders",
        "$bn",
        "flow",
        "Cumulative official sales",
        "Japan, China and reserve diversification.",
    ),
    Column(
        "policy_rate",
        "Federal funds rate",
        "%",
        "mean",
        "Cumulative policy rate",
        "CBO's path plus the Taylor-type rule's gap (rule off: CBO's path); fiscal-year average.",
    ),
    Column(
        "inflation_expectations",
        "Expected inflation",
        "%",
        "mean",
        "Cumulative inflation expectations",
        "CBO's PCE inflation plus the gap from Fed purchases and rising yields; fiscal-year average.",
    ),
    Column(
        "credit_rating_notch",
        "Credit rating, notches below AAA",
        "notches",
        "stock",
        "Rating notch",
        "0 AAA, 1 AA+ (S&P since 2011), 2 AA, 3 AA-, 4 A+ ... at the fiscal-year end.",
    ),
    Column(
        "mortgage_rate",
        "30-year mortgage rate",
        "%",
        "mean",
        "Cumulative mortgage rate",
        "10-year yield + 1.7 pp + half the confidence and supply premia; fiscal-year average.",
    ),
    Column(
        "corporate_rate",
        "Corporate (Baa) borrowing rate",
        "%",
        "mean",
        "Cumulative corporate rate",
        "10-year yield + 2 pp + half the confidence and supply premia; fiscal-year average.",
    ),
    Column(
        "private_investment_change",
        "Private investment relative to baseline",
        "%",
        "mean",
        "Cumulative private investment change",
        "-3% per point of real-rate gap (smoothed); fiscal-year average.",
    ),
    Column(
        "growth_drag",
        "Nominal growth lost to crowding-out",
        "percentage points",
        "mean",
        "Cumulative growth drag",
        "Applied only with the private crowding switch on.",
    ),
    Column(
        "gold_flow_index",
        "Safe-haven flows into gold",
        "index (0 = baseline)",
        "mean",
        "Cumulative gold flow",
        "Rises as Treasuries fall and the dollar weakens; fiscal-year average.",
    ),
    Column(
        "equity_flow_index",
        "Reallocation into equities",
        "index (0 = baseline)",
        "mean",
        "Cumulative equity flow",
        "Out of falling Treasuries, with the dollar feeding back; fiscal-year average.",
    ),
)

RATING_LABELS = (
    "AAA",
    "AA+",
    "AA",
    "AA-",
    "A+",
    "A",
    "A-",
    "BBB+",
    "BBB",
    "BBB-",
    "BB+",
    "BB",
    "BB-",
    "B+",
    "B",
    "B-",
    "CCC+",
    "CCC",
    "CCC-",
    "CC",
    "C",
)


# results.csv's one text column, beside credit_rating_notch (columns.csv describes it too)
RATING_COLUMN = (
    "credit_rating",
    "Credit rating",
    "S&P-style letters",
    "credit_rating_notch rounded to a whole notch, as a rating: AAA, AA+, AA, AA-, A+ ... "
    "at the fiscal-year end.",
)


def rating_label(notch: float) -> str:
    """S&P-style label for a number of notches below AAA."""
    return RATING_LABELS[min(max(int(round(notch)), 0), len(RATING_LABELS) - 1)]


BY_NAME = {c.name: c for c in COLUMNS}


def model_variables() -> list[str]:
    """Model variables a run must return to build every column."""
    names = {c.model_var for c in COLUMNS if c.model_var}
    return sorted(names | {"Bills"})
