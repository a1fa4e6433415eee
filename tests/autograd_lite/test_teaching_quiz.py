"""The fill-in-the-graph page in headless Chromium: right entries turn green, wrong ones red,
the backward part opens once the forward part is done, and the reveal buttons fill in."""

import re

import numpy as np
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

import autograd_lite as ag
from autograd_lite.teaching import fill_in_quiz

from .test_viz_html import browser  # noqa: F401  (the headless Chromium fixture)


def neuron_loss() -> ag.Tensor:
    w = ag.Tensor(-1.0, requires_grad=True, name="w")
    x = ag.Tensor(2.0, name="x")
    b = ag.Tensor(np.array([0.5, -1.0], dtype=np.float32), requires_grad=True, name="b")
    z = w * x
    z.name = "z"
    a = (z + b).tanh()
    a.name = "a"
    loss = (a * a).sum()
    loss.name = "L"
    return loss


def test_quiz_answers_are_the_engines_values_and_gradients():
    quiz = fill_in_quiz(neuron_loss())
    answers = {blank.label: blank.answer for blank in quiz.blanks}
    t = np.tanh(np.array([-1.5, -3.0]))
    assert answers["z"] == -2.0
    np.testing.assert_allclose([answers["a[0]"], answers["a[1]"]], t, rtol=1e-6)
    assert answers["L"] == pytest.approx((t * t).sum(), rel=1e-6)
    dt = 2 * t * (1 - t * t)  # dL/d(z + b)
    np.testing.assert_allclose([answers["dL/db[0]"], answers["dL/db[1]"]], dt, rtol=1e-5)
    assert answers["dL/dw"] == pytest.approx(2 * dt.sum(), rel=1e-5)  # dz/dw = x = 2
    assert quiz.blanks[0].tolerance == pytest.approx(1e-3 + 0.01 * 2.0)
    assert repr(quiz) == (
        "Quiz(8 values and 10 gradients to fill in; right within 1% or 0.001 of the answer)"
    )


def test_quiz_refuses_a_graph_too_large():
    W = ag.randn(8, 8, requires_grad=True)
    with pytest.raises(ValueError, match=r"fill_in_quiz: the graph has 195 entries .* max_blanks"):
        fill_in_quiz((W * W).sum() * 2)


def entry(driver, label):
    return driver.find_element(By.XPATH, f"//label[text()='{label} = ']/following-sibling::input")


def test_quiz_page_checks_entries_in_the_browser(browser, tmp_path):  # noqa: F811
    quiz = fill_in_quiz(neuron_loss())
    answers = {blank.label: blank.answer for blank in quiz.blanks}
    page = quiz.save(tmp_path / "quiz.html")
    text = page.read_text()
    assert not re.search(r"<script[^>]+src|<link|@import|url\(http", text)  # nothing to fetch
    browser.get(page.resolve().as_uri())
    assert browser.title == "Fill in the graph"
    assert "green is right within 1% or 0.001" in browser.find_element(By.TAG_NAME, "body").text

    z = entry(browser, "z")
    z.send_keys("-2", Keys.ENTER)
    assert "right" in z.get_attribute("class")
    a0 = entry(browser, "a[0]")
    a0.send_keys(f"{answers['a[0]'] * 1.005:.6f}", Keys.TAB)  # within 1%
    assert "right" in a0.get_attribute("class")
    a1 = entry(browser, "a[1]")
    a1.send_keys(f"{answers['a[1]'] * 1.02:.6f}", Keys.TAB)  # 2% off: wrong
    assert "wrong" in a1.get_attribute("class")
    assert a1.find_element(By.XPATH, "following-sibling::span").text == "\u2717"
    a1.clear()
    a1.send_keys(f"{answers['a[1]']:.4f}", Keys.TAB)
    assert "right" in a1.get_attribute("class")

    backward = entry(browser, "dL/dw")  # inside the backward part's fieldset
    assert not backward.is_enabled()  # the forward part is not done yet
    browser.find_element(By.ID, "reveal-forward").click()
    assert browser.find_element(By.ID, "status-forward").text == "3 of 8 right, 5 revealed"
    assert entry(browser, "L").get_attribute("value") == f"{answers['L']:.4g}"
    assert "revealed" in entry(browser, "L").get_attribute("class")
    assert backward.is_enabled()

    dw = entry(browser, "dL/dw")
    dw.send_keys(f"{-answers['dL/dw']}", Keys.ENTER)  # the sign wrong
    assert "wrong" in dw.get_attribute("class")
    db1 = entry(browser, "dL/db[1]")
    db1.send_keys(f"{answers['dL/db[1]']}", Keys.ENTER)
    assert "right" in db1.get_attribute("class")
    browser.find_element(By.ID, "reveal-backward").click()
    assert browser.find_element(By.ID, "status-backward").text == "1 of 10 right, 9 revealed"
    assert float(dw.get_attribute("value")) == pytest.approx(answers["dL/dw"], rel=1e-3)
