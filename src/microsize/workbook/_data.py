"""Worked examples' data: illustrative prices and Hull's Table 3.2."""

from __future__ import annotations

# Illustrative weekly closes (made up, oldest first) for the Portfolio example: replace them
# with your own history. Columns: BTC (the hedge), ETH, SOL, LINK.
SAMPLE_PRICES: tuple[tuple[float, float, float, float], ...] = (
    (60000.00, 3000.00, 150.00, 15.00),
    (60002.95, 2782.00, 150.57, 14.85),
    (60724.28, 2776.93, 157.78, 15.96),
    (60062.04, 2736.65, 153.75, 15.53),
    (57960.07, 2631.05, 150.81, 14.86),
    (56915.49, 2458.76, 146.26, 14.83),
    (54702.08, 2311.10, 142.49, 14.24),
    (54833.84, 2250.73, 153.67, 14.15),
    (57853.62, 2342.74, 161.01, 14.21),
    (56725.72, 2362.03, 157.92, 13.95),
    (55335.18, 2237.85, 148.66, 13.40),
    (56430.09, 2288.85, 154.07, 14.29),
    (57241.43, 2391.00, 148.34, 14.86),
    (57483.30, 2361.42, 145.01, 14.90),
    (55383.17, 2250.72, 135.80, 14.80),
    (55318.41, 2255.02, 141.79, 14.59),
    (56878.53, 2336.02, 156.55, 15.60),
    (53901.01, 2111.03, 135.17, 14.86),
    (52923.35, 2069.89, 126.39, 14.96),
    (49047.82, 1967.96, 116.47, 13.27),
    (46582.00, 1765.95, 97.58, 12.84),
    (43273.69, 1658.75, 85.37, 11.24),
    (42868.67, 1646.02, 83.76, 10.27),
    (40749.49, 1519.35, 82.66, 9.69),
    (41194.05, 1634.46, 86.97, 9.44),
    (41453.15, 1684.90, 86.37, 9.56),
    (41144.35, 1610.84, 83.84, 10.39),
)

# Hull, Options, Futures, and Other Derivatives, Table 3.2 (Example 3.3): monthly changes
# in the heating-oil futures price and the jet-fuel price, $ per gallon. Prices are
# rebuilt from 2.000 so that MF_HEDGE_RATIO (which takes prices) sees Hull's changes.
HULL_TABLE_3_2: tuple[tuple[float, float], ...] = (
    (0.021, 0.029),
    (0.035, 0.020),
    (-0.046, -0.044),
    (0.001, 0.008),
    (0.044, 0.026),
    (-0.029, -0.019),
    (-0.026, -0.010),
    (-0.029, -0.007),
    (0.048, 0.043),  # solutioninn prints +0.048; the coursehero preview's "-0.048" gives
    # σF = 0.0304 and ρ = 0.589, not Hull's 0.0313 and 0.928, so it is a misprint
    (-0.006, 0.011),
    (-0.036, -0.036),
    (-0.011, -0.018),
    (0.019, 0.009),
    (-0.027, -0.032),
    (0.029, 0.023),
)


def hull_prices() -> tuple[list[float], list[float]]:
    """Jet-fuel (spot) and heating-oil futures prices rebuilt from Table 3.2's changes."""
    futures, spot = [2.0], [2.0]
    for d_f, d_s in HULL_TABLE_3_2:
        futures.append(round(futures[-1] + d_f, 3))
        spot.append(round(spot[-1] + d_s, 3))
    return spot, futures
