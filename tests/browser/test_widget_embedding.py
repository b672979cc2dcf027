"""The widget on other people's pages: CSP, hostile CSS, keyboard, phones, axe."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from browser.live_servers import Bot, HostSite, PageErrors, widget_page

WIDGET_ROOT = "document.querySelector('faqbot-widget').shadowRoot"


def ask(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Your message")
    box.fill(text)
    box.press("Enter")


def ask_and_see_the_answer(page: Page, bot: Bot) -> None:
    log = page.get_by_role("log", name="Conversation")
    ask(page, "what are the side effects")
    expect(log).to_contain_text(bot.runtime.knowledge.topic("side_effects").section)


def test_a_strict_csp_on_another_origin_still_runs_it(
    page: Page, bot: Bot, host_site: HostSite, page_errors: PageErrors
) -> None:
    policy = (
        "default-src 'none'; style-src 'self'; "
        f"script-src {bot.origin}; connect-src {bot.origin}"
    )
    inline = "<script>document.title = 'inline script ran'</script>"
    url = host_site.add(
        "/strict", widget_page(bot, body=inline), {"Content-Security-Policy": policy}
    )
    page.goto(url)
    page.get_by_role("button", name="Chat with us").click()
    ask_and_see_the_answer(page, bot)
    # The policy is in force (the page's own inline script was refused)...
    assert page.title() == "Clinic"
    # ...and the widget itself never needed anything it forbids.
    violations = page.evaluate("window.__violations")
    assert violations and all("inline" in v for v in violations), violations
    assert page_errors.errors == []


def test_the_demo_page_runs_under_its_own_strict_policy(
    page: Page, bot: Bot, page_errors: PageErrors
) -> None:
    response = page.goto(bot.url)
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    expect(page.get_by_role("heading", level=1)).to_have_text(
        bot.runtime.knowledge.title
    )
    expect(page.locator("mark.placeholder").first).to_be_visible()
    page.get_by_role("button", name="Chat with us").click()
    ask_and_see_the_answer(page, bot)
    assert page.evaluate("window.__violations") == []
    assert page_errors.errors == []


def test_a_site_not_allowed_is_told_why(
    page: Page, bot: Bot, host_site: HostSite
) -> None:
    # The same page under another name is another origin, one never allowed.
    url = host_site.add("/", widget_page(bot))
    page.goto(url.replace("127.0.0.1", "localhost"))
    page.get_by_role("button", name="Chat with us").click()
    ask(page, "hello")
    log = page.get_by_role("log", name="Conversation")
    expect(log).to_contain_text("Not sent: This site is not allowed")
    assert bot.user_messages() == []


HOSTILE_CSS = """<style>
* { all: unset !important; }
html, body, body * { font-size: 64px !important; line-height: 3 !important; }
button, div, p { color: yellow !important; background: magenta !important; }
</style>"""


def test_the_host_pages_hostile_css_leaves_it_usable(
    page: Page, bot: Bot, host_site: HostSite
) -> None:
    page.goto(host_site.add("/hostile", widget_page(bot, head=HOSTILE_CSS)))
    page.get_by_role("button", name="Chat with us").click()
    ask_and_see_the_answer(page, bot)
    panel = page.get_by_role("dialog").bounding_box()
    assert panel is not None and panel["width"] <= 400 and panel["height"] <= 800
    font = page.evaluate(
        f"getComputedStyle({WIDGET_ROOT}.querySelector('input')).fontSize"
    )
    assert font == "15px"
    expect(page.get_by_role("button", name="Send")).to_be_in_viewport()


def test_its_css_does_not_touch_the_host_page(
    page: Page, bot: Bot, host_site: HostSite
) -> None:
    body = "<p id='p'>Text</p><button id='b'>A page button</button>"
    plain = host_site.add("/plain", widget_page(bot, body=body, with_widget=False))
    styled = (
        "[...document.querySelectorAll('#p, #b, body')]"
        ".map(e => { const s = getComputedStyle(e);"
        " return Object.fromEntries([...s].map(k => [k, s.getPropertyValue(k)])); })"
    )
    page.goto(plain)
    before = page.evaluate(styled)
    page.goto(host_site.add("/with-widget", widget_page(bot, body=body)))
    page.get_by_role("button", name="Chat with us").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    after = page.evaluate(styled)
    changed = [
        (index, key, old[key], new[key])
        for index, (old, new) in enumerate(zip(before, after, strict=True))
        for key in old
        if old[key] != new[key]
    ]
    assert changed == [], changed


def test_one_global_the_script_tags_options_and_the_api(
    page: Page, bot: Bot, host_site: HostSite
) -> None:
    options = "data-title='Ask Dr. Bot' data-color='#ffcc00' data-position='left'"
    page.goto(host_site.add("/", widget_page(bot, attributes=options + " data-open")))
    expect(page.get_by_role("dialog", name="Ask Dr. Bot")).to_be_visible()
    new_globals = page.evaluate(
        "() => { const f = document.createElement('iframe');"
        " document.body.appendChild(f);"
        " const own = new Set(Object.getOwnPropertyNames(f.contentWindow));"
        " return Object.getOwnPropertyNames(window).filter(k => !own.has(k)"
        " && !/^\\d+$/.test(k) && !k.startsWith('__')); }"
    )
    assert new_globals == ["faqbot"]
    panel = page.get_by_role("dialog").bounding_box()
    assert panel is not None and panel["x"] < 100  # on the left
    # A light brand colour gets dark text, keeping AA contrast.
    header_ink = page.evaluate(
        f"getComputedStyle({WIDGET_ROOT}.querySelector('h2')).color"
    )
    assert header_ink == "rgb(17, 17, 17)"
    page.evaluate("faqbot.close()")
    expect(page.get_by_role("dialog")).to_be_hidden()
    page.evaluate("faqbot.send('is ketamine addictive?')")
    log = page.get_by_role("log", name="Conversation")
    expect(log).to_contain_text(bot.runtime.knowledge.topic("addiction_risk").section)


def test_navigation_within_the_site_keeps_the_conversation(
    page: Page, bot: Bot, host_site: HostSite
) -> None:
    first = host_site.add("/", widget_page(bot, body="<a href='/next'>Next</a>"))
    host_site.add("/next", widget_page(bot))
    page.goto(first)
    page.get_by_role("button", name="Chat with us").click()
    ask_and_see_the_answer(page, bot)
    page.get_by_role("button", name="Close chat").click()
    page.get_by_role("link", name="Next").click()
    page.wait_for_url("**/next")
    expect(page.get_by_role("dialog")).to_be_hidden()  # closed stays closed
    page.get_by_role("button", name="Chat with us").click()
    expect(page.get_by_role("log")).to_contain_text("You said: what are the side")


def focused(page: Page) -> str:
    """The accessible name (or text) of the element that has focus."""
    return page.evaluate(
        "() => { let e = document.activeElement;"
        " while (e && e.shadowRoot && e.shadowRoot.activeElement)"
        "   e = e.shadowRoot.activeElement;"
        " return e.getAttribute('aria-label') || e.labels?.[0]?.textContent"
        "   || e.textContent.trim(); }"
    )


def test_keyboard_only(page: Page, bot: Bot, host_site: HostSite) -> None:
    page.goto(host_site.add("/", widget_page(bot, body="<a href='#'>Home</a>")))
    page.keyboard.press("Tab")
    assert focused(page) == "Home"
    page.keyboard.press("Tab")
    assert focused(page) == "Chat with us"
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    assert focused(page) == "Your message"
    page.keyboard.type("is ketamine addictive")
    page.keyboard.press("Enter")
    log = page.get_by_role("log")
    expect(log).to_contain_text(bot.runtime.knowledge.topic("addiction_risk").section)
    # Tab moves through the dialog and wraps, never leaving it.
    seen = []
    for _ in range(30):
        page.keyboard.press("Tab")
        seen.append(focused(page))
    assert {"Start over", "Close chat", "Send", "Request a consultation"} <= set(seen)
    assert "Home" not in seen
    page.keyboard.press("Shift+Tab")
    outline = page.evaluate(
        f"getComputedStyle({WIDGET_ROOT}.activeElement).outlineStyle"
    )
    assert outline == "solid"  # focus is visible
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert focused(page) == "Chat with us"


def test_at_360_px_the_panel_fills_the_screen_and_the_page_stays(
    phone_page: Page, bot: Bot
) -> None:
    page = phone_page
    page.goto(bot.url)
    heading = page.get_by_role("heading", level=1)
    before = heading.bounding_box()
    page.get_by_role("button", name="Chat with us").click()
    ask_and_see_the_answer(page, bot)
    # Measured once the panel's opening animation has run (a loaded machine can
    # still be in it after the answer arrives).
    page.evaluate(
        f"Promise.all({WIDGET_ROOT}.querySelector('[role=dialog]')"
        ".getAnimations().map(a => a.finished))"
    )
    assert page.get_by_role("dialog").bounding_box() == {
        "x": 0,
        "y": 0,
        "width": 360,
        "height": 740,
    }
    assert heading.bounding_box() == before
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    expect(page.get_by_role("button", name="Send")).to_be_in_viewport()
    page.get_by_role("button", name="Close chat").click()
    assert heading.bounding_box() == before


def test_reduced_motion_turns_the_animations_off(
    page: Page, bot: Bot
) -> None:
    page.emulate_media(reduced_motion="reduce")
    page.goto(bot.url)
    page.get_by_role("button", name="Chat with us").click()
    animation = page.evaluate(
        f"getComputedStyle({WIDGET_ROOT}.querySelector('[role=dialog]'))"
        ".animationName"
    )
    assert animation == "none"


def test_axe_finds_nothing_serious_on_the_demo_page_with_the_widget_open(
    page: Page, bot: Bot
) -> None:
    page.goto(bot.url)
    page.get_by_role("button", name="Chat with us").click()
    ask_and_see_the_answer(page, bot)
    results = Axe().run(page)
    serious = [
        v for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], results.generate_report()
    checked = {rule["id"] for rule in results.response["passes"]}
    assert "color-contrast" in checked  # the scan did look at contrast
