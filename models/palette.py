"""Partner colours: the Okabe-Ito palette, which stays distinguishable for colour-blind viewers.

Charts never carry meaning by colour alone; the colour only helps the eye find a partner.
"""

PARTNER_COLOURS: dict[str, str] = {
    "Blue": "#0072B2",
    "Orange": "#E69F00",
    "Bluish green": "#009E73",
    "Vermillion": "#D55E00",
    "Sky blue": "#56B4E9",
    "Reddish purple": "#CC79A7",
    "Yellow": "#F0E442",
    "Black": "#000000",
}


def colour_name(hex_colour: str) -> str:
    for name, value in PARTNER_COLOURS.items():
        if value.lower() == hex_colour.lower():
            return name
    return hex_colour


def next_free_colour(taken: set[str]) -> str:
    taken_lower = {c.lower() for c in taken}
    for value in PARTNER_COLOURS.values():
        if value.lower() not in taken_lower:
            return value
    return next(iter(PARTNER_COLOURS.values()))
