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


def text_colour_on(hex_colour: str) -> str:
    """Black or white, whichever reads better on the given background (WCAG luminance)."""
    red, green, blue = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"
