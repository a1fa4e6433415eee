"""The backprop HTML player in a real browser: headless Chromium, driven through Selenium.

Needs the Debian packages `chromium` and `chromium-driver` (`make test` installs them).
"""

from __future__ import annotations

import re
import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

import autograd_lite as ag
from autograd_lite.viz import backward_player

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,900",
]


def installed(*names: str) -> str:
    """The path of the first program found on PATH; fails (never skips) with how to install."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        f"{' or '.join(names)} not found: the browser test needs headless Chromium and its "
        "driver; `make test` installs them (apt-get install chromium chromium-driver)"
    )


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = installed("chromium", "chromium-browser", "google-chrome")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    # the driver path is given, so Selenium never tries to download one
    driver = webdriver.Chrome(service=Service(installed("chromedriver")), options=options)
    yield driver
    driver.quit()


def neuron() -> ag.Tensor:
    """tanh(w*x + b) with named scalars: 5 tensors get a gradient, so 5 frames."""
    x = ag.Tensor(0.5, name="x")
    w = ag.Tensor(-1.5, requires_grad=True, name="w")
    b = ag.Tensor(0.25, requires_grad=True, name="b")
    wx = w * x
    wx.name = "wx"
    z = wx + b
    z.name = "z"
    out = z.tanh()
    out.name = "out"
    return out


def shown(browser) -> tuple[list[str], str]:
    """The ids of the visible frames, and the caption."""
    visible = [
        f.get_attribute("id")
        for f in browser.find_elements(By.CSS_SELECTOR, ".frame")
        if f.is_displayed()
    ]
    return visible, browser.find_element(By.ID, "caption").text


def test_player_steps_through_frames_with_buttons_and_slider(browser, tmp_path) -> None:
    out = neuron()
    captions = [f.caption for f in ag.backward_frames(out)]
    assert captions == [
        "step 1/5: dout/dout = 1, the seed",
        "step 2/5: dout/dz filled in by Tanh",
        "step 3/5: dout/dwx filled in by Add",
        "step 4/5: dout/db filled in by Add",
        "step 5/5: dout/dw filled in by Mul",
    ]
    page = ag.save_backward_html(out, tmp_path / "backprop.html")
    text = page.read_text()
    assert not re.search(r"<script[^>]+src|<link|@import|url\(http", text)  # nothing to fetch
    assert text.count("<svg") == 5

    browser.get(page.resolve().as_uri())
    assert browser.title == "Backpropagation, step by step"
    assert shown(browser) == (["frame-1"], captions[0])
    first = browser.find_element(By.ID, "frame-1").text
    assert "out" in first and "grad 1" in first and "grad ?" in first
    slider = browser.find_element(By.ID, "slider")
    prev, next_ = browser.find_element(By.ID, "prev"), browser.find_element(By.ID, "next")
    assert not prev.is_enabled() and next_.is_enabled()

    next_.click()
    next_.click()
    assert shown(browser) == (["frame-3"], captions[2])
    assert slider.get_attribute("value") == "3" and prev.is_enabled()
    # dout/dwx = 1 - tanh(z)^2 with z = -0.5: the third frame shows it, in the highlighted box
    highlighted = browser.find_element(By.CSS_SELECTOR, "#frame-3 polygon[stroke='#d50000']")
    assert highlighted.is_displayed()
    assert "grad 0.7864" in browser.find_element(By.ID, "frame-3").text

    prev.click()
    assert shown(browser) == (["frame-2"], captions[1])

    slider.send_keys(Keys.END)  # the keyboard moves a range input; it fires `input`
    assert shown(browser) == (["frame-5"], captions[4])
    assert slider.get_attribute("value") == "5" and not next_.is_enabled()
    last = browser.find_element(By.ID, "frame-5").text
    assert "grad ?" not in last and "grad 0.3932" in last  # dout/dw = dout/dz * x

    fit = browser.find_element(By.ID, "fit")
    svg = browser.find_element(By.CSS_SELECTOR, "#frame-5 svg")
    assert svg.value_of_css_property("max-width") == "none"
    fit.click()
    assert svg.value_of_css_property("max-width") == "100%"
    assert shown(browser) == (["frame-5"], captions[4])


def test_the_page_slider_moves_one_frame_per_arrow_key(browser, tmp_path) -> None:
    page = ag.save_backward_html(neuron(), tmp_path / "backprop.html")
    browser.get(page.resolve().as_uri())
    browser.find_element(By.ID, "slider").send_keys(Keys.ARROW_RIGHT)
    assert shown(browser)[0] == ["frame-2"]  # not frame-3: the page's keys leave it alone
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    assert shown(browser)[0] == ["frame-3"]  # on the page, the arrow keys work anywhere


def test_two_inline_players_in_one_notebook_page_work_apart(browser, tmp_path) -> None:
    """What Jupyter does with `_repr_html_`: each output's HTML in a <div> of one page."""
    player = backward_player(neuron())
    cells = "".join(
        f'<div class="output">{player._repr_html_()}</div><p style="height: 600px">text</p>'
        for _ in range(2)
    )
    page = tmp_path / "notebook.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>notebook</title></head>"
        f"<body><button id='outside' type='button'>run</button>{cells}</body></html>"
    )
    browser.get(page.resolve().as_uri())
    assert browser.execute_script("return window.scrollY") == 0  # no player scrolled the page
    first, second = browser.find_elements(By.CSS_SELECTOR, ".ag-player")

    def step(player) -> tuple[str, str]:
        caption = player.find_element(By.CSS_SELECTOR, "p[id$='caption']").text
        slider = player.find_element(By.CSS_SELECTOR, "input[type='range']")
        return slider.get_attribute("value"), caption

    assert step(first) == step(second) == ("1", "step 1/5: dout/dout = 1, the seed")
    second.find_element(By.CSS_SELECTOR, "button[id$='next']").click()
    assert step(second) == ("2", "step 2/5: dout/dz filled in by Tanh")
    assert step(first)[0] == "1"
    # the arrow keys belong to the notebook, unless a player has the focus
    browser.find_element(By.ID, "outside").send_keys(Keys.ARROW_RIGHT)
    assert (step(first)[0], step(second)[0]) == ("1", "2")
    first.find_element(By.CSS_SELECTOR, "button[id$='next']").click()
    browser.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
    assert (step(first)[0], step(second)[0]) == ("3", "2")
    assert [
        f.get_attribute("id")[-7:]
        for f in first.find_elements(By.CSS_SELECTOR, ".frame")
        if f.is_displayed()
    ] == ["frame-3"]
    # the players' style stays inside them
    outside = browser.find_element(By.ID, "outside")
    inside = first.find_element(By.CSS_SELECTOR, "button")
    assert outside.value_of_css_property("padding-left") != inside.value_of_css_property(
        "padding-left"
    )
    text = browser.find_element(By.CSS_SELECTOR, "p[style]")  # the notebook's, between them
    assert "Helvetica" not in text.value_of_css_property("font-family")
