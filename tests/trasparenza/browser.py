"""Shared settings of the browser tests: Debian's chromium driven by Playwright, axe-core tags."""

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def apri_chromium(playwright, profilo, **opzioni):
    """A fresh headless Debian chromium (never a downloaded browser) with its own profile."""
    return playwright.chromium.launch_persistent_context(
        str(profilo), executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900}, **opzioni,
    )
