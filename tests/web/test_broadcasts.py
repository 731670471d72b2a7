"""Broadcasts in the browser: the Secretariat writes one in English and French (a missing
English text is named next to its field), sees it among the sent ones; a state's account
reads it, in French when its interface is in French."""


def test_compose_and_read_a_broadcast(page):
    page.login("secretariat")
    page.open("/broadcasts")
    assert page.css("main h1").text == "Broadcasts"
    assert not page.unlabelled(), page.unlabelled()
    # Only French: English is required, and the message says so next to the field.
    page.css("main details summary").click()
    page.fill("texts.fr.subject", "Test de ping le 3 décembre")
    page.fill("texts.fr.body", "Un test de ping aura lieu le 3 décembre à 10:00 UTC.")
    page.button("Send to every participating state").click()
    page.d.switch_to.alert.accept()
    err = page.css('main [data-field="texts.en.subject"] > .error, main form .form-error')
    assert err.text, err
    page.fill("texts.en.subject", "Ping test on 3 December")
    page.fill("texts.en.body", "A ping test will run on 3 December at 10:00 UTC.")
    page.button("Send to every participating state").click()
    page.d.switch_to.alert.accept()
    page.wait(lambda d: "Broadcast sent" in page.status())
    first = page.css("main #broadcast-list li")
    assert "Ping test on 3 December" in first.text and "Français" in first.text
    page.screenshot("broadcasts-secretariat")
    page.logout()

    page.login("KEN/officer")
    page.open("/broadcasts")
    assert "Broadcasts" in page.css("#nav").text
    assert not page.all("main #broadcast-form")
    first = page.css("main #broadcast-list li")
    assert "Ping test on 3 December" in first.text
    page.open("/broadcasts?lang=fr")
    first = page.css("main #broadcast-list li")
    assert "Test de ping le 3 décembre" in first.text, first.text
    assert first.find_element("css selector", "h3").get_attribute("lang") == "fr"
    page.open("/broadcasts?lang=en")
    page.logout()
