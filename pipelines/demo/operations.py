"""Where the demo's personnel and allegations are: the relative size of each large operation.

Synthetic, judgment-based weights: a plausible picture of where large UN humanitarian operations
have been since 2012 (refugee, displacement and conflict responses), not any agency's real staffing
or caseload figures. One unit is roughly 15 IOM personnel at scale 1.
"""

from __future__ import annotations

# relative personnel of each large field operation (country code -> units)
# fmt: off
OPERATION_SIZE = {
    # Middle East and North Africa, and the Syria crisis
    "SYR": 30, "TUR": 45, "LBN": 18, "JOR": 18, "IRQ": 55, "YEM": 45, "LBY": 25, "PSE": 12,
    "EGY": 10, "TUN": 8, "MAR": 6,
    # Asia and the Pacific
    "AFG": 50, "BGD": 70, "MMR": 20, "PAK": 22, "PHL": 25, "IDN": 12, "NPL": 10, "LKA": 6,
    "PNG": 8,
    # East and Horn of Africa
    "SSD": 60, "SDN": 40, "ETH": 50, "SOM": 40, "KEN": 25, "UGA": 20, "DJI": 8, "BDI": 10,
    "RWA": 6, "TZA": 10,
    # Central and West Africa
    "COD": 40, "CAF": 18, "NGA": 50, "NER": 25, "MLI": 15, "TCD": 25, "CMR": 18, "BFA": 18,
    # Southern Africa
    "MOZ": 28, "MWI": 10, "ZWE": 12, "MDG": 6,
    # the Americas
    "HTI": 40, "COL": 35, "VEN": 14, "PER": 12, "ECU": 12, "GTM": 10, "HND": 10, "SLV": 6,
    "MEX": 14, "BRA": 10,
    # Europe
    "UKR": 50, "POL": 16, "MDA": 8, "GRC": 18, "ITA": 8, "BIH": 8,
}
# fmt: on
HEADQUARTERS_SIZE, REGIONAL_OFFICE_SIZE = 50.0, 8.0
# a country office outside the large operations: lognormal around this many units
COUNTRY_OFFICE_SIZE = 2.5

# allegations per person relative to a large field operation: fewer where no aid is delivered
CASE_INTENSITY = {"operation": 1.0, "country_office": 0.4, "regional_office": 0.1, "hq": 0.04}

# The seed's 2017 CBCM trainings (reference/cbcm_trainings) and the demo's two sites of the
# 2013-2015 inter-agency pilot (the seed names no sites: a choice of the demo).
CBCM_MISSIONS = ["IRQ", "MWI", "YEM", "TCD", "NGA", "TUR", "LBN"]
CBCM_PILOT_SITES = ["ETH", "COD"]

# Territories and microstates: no duty station of any entity, so no personnel and no allegations.
_TERRITORIES_AND_MICROSTATES = (
    "ABW AIA ALA AND ASM ATA ATF BES BLM BMU BVT CCK COK CUW CXR CYM ESH FLK FRO GGY GIB GLP GRL "
    "GUF GUM HKG HMD IMN IOT JEY LIE MAC MAF MCO MNP MSR MTQ MYT NCL NFK NIU NRU PCN PLW PRI PYF "
    "REU SGS SHN SJM SMR SPM SXM TCA TKL TUV TWN UMI VAT VGB VIR WLF"
)
NO_DUTY_STATION = frozenset(_TERRITORIES_AND_MICROSTATES.split())
