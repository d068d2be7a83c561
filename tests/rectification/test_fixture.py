"""The rectification fixture builds (the other rectification tests rely on it)."""

from rectification.access import item_for_user, letter_visible
from rectification.selectors import items_visible_to, letters_visible_to

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings",
                  "tests.findings.fixtures_results", "tests.rectification.fixtures_rectification"]


def test_rect_world_scopes_letters_and_items(rect_world):
    users = rect_world.users
    assert set(letters_visible_to(users["target_liaison"])) == {rect_world.letter}
    assert set(letters_visible_to(rect_world.other_liaison)) == {rect_world.other_letter}
    assert set(letters_visible_to(users["commission"])) == {rect_world.letter, rect_world.other_letter}
    assert set(letters_visible_to(users["leader"])) == {rect_world.letter}
    assert letters_visible_to(users["liaison"]).count() == 0
    assert letters_visible_to(users["admin"]).count() == 0  # sees every station, is on no team
    assert items_visible_to(users["target_liaison"]).count() == 2
    assert not letter_visible(users["case_office"], rect_world.letter)
    assert item_for_user(users["leader"], rect_world.items[0].pk, "verify") == rect_world.items[0]
